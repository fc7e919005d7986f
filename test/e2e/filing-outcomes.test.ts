/**
 * A filing whose workflow start answers an error is not always a filing that did not happen: a timeout can
 * come after Temporal started the case. The API asks Temporal which it was before it frees the household
 * (services/filing.ts startOutcome, staleClaim): a started case is this filing's (201, and a retry
 * with the same Idempotency-Key gets it again), a start that did not happen frees the household, and when
 * Temporal cannot say the household stays claimed: a retry with the same Idempotency-Key settles that number
 * (starting its case, or finding it started), and a later filing without it finds the claim stale.
 */
import type { Client } from '@temporalio/client';
import { intakeRequest } from '../helpers/fixtures';
import { expectConforms } from '../helpers/openapi';
import { agentFor, startStack } from '../helpers/stack';
import type { Stack } from '../helpers/stack';

/** What the gRPC client throws when a call's deadline passes. */
function deadlineExceeded(): Error {
  return Object.assign(new Error('4 DEADLINE_EXCEEDED: Deadline exceeded'), {
    code: 4,
    details: 'Deadline exceeded',
    metadata: {},
  });
}

type Start = Client['workflow']['start'];

/** The stack's client with its workflow start (and, optionally, describe) replaced. */
function clientWith(client: Client, start: (real: Start) => Start, describeFails = false): Client {
  const workflow = new Proxy(client.workflow, {
    get(target, prop, receiver) {
      if (prop === 'start') return start(target.start.bind(target));
      if (prop === 'getHandle' && describeFails) {
        return (id: string) =>
          Object.assign(target.getHandle(id), {
            describe: () => Promise.reject(deadlineExceeded()),
          });
      }
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
  return new Proxy(client, {
    get: (target, prop, receiver) =>
      prop === 'workflow' ? workflow : (Reflect.get(target, prop, receiver) as unknown),
  });
}

describe('filing when the workflow start answers an error', () => {
  let stack: Stack;
  let token: string;

  beforeAll(async () => {
    stack = await startStack();
    token = (await stack.as('administrative', ['08305'])).token;
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const claims = (applicationId: string) =>
    stack.db.prisma.householdClaim.count({ where: { applicationId } });

  it('answers 201 when the case started though the answer was lost, and the same to a retry', async () => {
    const lostAnswer = (real: Start) =>
      (async (...args: Parameters<Start>) => {
        await real(...args);
        throw deadlineExceeded();
      }) as Start;
    const api = agentFor(stack.appWith({ temporal: clientWith(stack.client, lostAnswer) }), token);
    const body = intakeRequest({ municipalityCode: '08305' });
    const res = await api.post('/applications').set('idempotency-key', 'lost-answer-1').send(body);
    expectConforms(res);
    expect(res.status).toBe(201);
    const id = res.body.applicationId as string;
    const described = await stack.client.workflow.getHandle(id).describe();
    expect(described.status.name).toBe('RUNNING');
    expect(await claims(id)).toBeGreaterThan(0);
    expect(await stack.db.prisma.application.count({ where: { id } })).toBe(1);
    // The retry of the staff member's client gets the same case, not a second one.
    const again = await agentFor(stack.app, token)
      .post('/applications')
      .set('idempotency-key', 'lost-answer-1')
      .send(body)
      .expect(201);
    expect(again.body.applicationId).toBe(id);
    expect(again.headers['idempotent-replayed']).toBe('true');
    // And a new filing of the household is refused with this case's number.
    const twice = await agentFor(stack.app, token).post('/applications').send(body).expect(409);
    expect(twice.body.existingApplicationId).toBe(id);
  });

  it('frees the household when the start did not happen', async () => {
    const never = (() => () => Promise.reject(deadlineExceeded())) as (real: Start) => Start;
    const api = agentFor(stack.appWith({ temporal: clientWith(stack.client, never) }), token);
    const body = intakeRequest({ municipalityCode: '08305' });
    const res = await api.post('/applications').send(body);
    expectConforms(res);
    expect(res.status).toBe(503);
    expect(
      await stack.db.prisma.householdClaim.count({ where: { document: body.applicant.documentNumber } }),
    ).toBe(0);
    await agentFor(stack.app, token).post('/applications').send(body).expect(201);
  });

  it('keeps the household claimed while Temporal cannot say, until the claim is found stale', async () => {
    const never = (() => () => Promise.reject(deadlineExceeded())) as (real: Start) => Start;
    const api = agentFor(stack.appWith({ temporal: clientWith(stack.client, never, true) }), token);
    const body = intakeRequest({ municipalityCode: '08305' });
    const res = await api.post('/applications').send(body);
    expectConforms(res);
    expect(res.status).toBe(503);
    const claim = await stack.db.prisma.householdClaim.findFirstOrThrow({
      where: { document: body.applicant.documentNumber },
    });
    // Right away the household is taken: that filing may still have started its case.
    const soon = await agentFor(stack.app, token).post('/applications').send(body).expect(409);
    expect(soon.body.existingApplicationId).toBe(claim.applicationId);
    // Once the claim is older than any filing still starting, Temporal is asked, and a case it does not know
    // no longer holds the household.
    await stack.db.prisma.householdClaim.updateMany({
      where: { applicationId: claim.applicationId },
      data: { claimedAt: new Date(Date.now() - 10 * 60_000) },
    });
    const later = await agentFor(stack.app, token).post('/applications').send(body).expect(201);
    expect(later.body.applicationId).not.toBe(claim.applicationId);
    expect(await claims(claim.applicationId)).toBe(0);
  });

  it.each<[string, boolean]>([
    ['had not started', false],
    ['had started after all', true],
  ])(
    'settles the number of an uncertain start on a retry with the same key: a case that %s',
    async (_name, startedAfterAll) => {
      const unknown = (real: Start) =>
        (async (...args: Parameters<Start>) => {
          if (startedAfterAll) await real(...args);
          throw deadlineExceeded();
        }) as Start;
      const api = agentFor(stack.appWith({ temporal: clientWith(stack.client, unknown, true) }), token);
      const body = intakeRequest({ municipalityCode: '08305' });
      const key = `uncertain-${startedAfterAll ? 'started' : 'not-started'}`;
      expectConforms(await api.post('/applications').set('idempotency-key', key).send(body).expect(503));
      const intake = await stack.db.prisma.intakeRequest.findFirstOrThrow({ where: { key } });
      const number = intake.uncertainApplicationId!;
      expect(number).toMatch(/^08305-/);
      expect(intake.applicationId).toBeNull();
      const fileAgain = () =>
        agentFor(stack.app, token).post('/applications').set('idempotency-key', key).send(body).expect(201);
      // Once Temporal answers again, the retry gets that number's case: started now, or found started.
      const retry = await fileAgain();
      expect(retry.body.applicationId).toBe(number);
      expect((await stack.client.workflow.getHandle(number).describe()).status.name).toBe('RUNNING');
      expect(await claims(number)).toBeGreaterThan(0);
      // One case for the household: no other number was started for it.
      const others = await stack.db.prisma.householdClaim.findMany({
        where: { document: body.applicant.documentNumber, NOT: { applicationId: number } },
      });
      expect(others).toEqual([]);
      const replay = await fileAgain();
      expect(replay.body.applicationId).toBe(number);
      expect(replay.headers['idempotent-replayed']).toBe('true');
    },
  );

  it('does not free an old claim whose case Temporal knows, even without its row', async () => {
    const body = intakeRequest({ municipalityCode: '08305' });
    const first = await agentFor(stack.app, token).post('/applications').send(body).expect(201);
    const id = first.body.applicationId as string;
    await stack.db.prisma.householdClaim.updateMany({
      where: { applicationId: id },
      data: { claimedAt: new Date(Date.now() - 10 * 60_000) },
    });
    // The filing row lost (registration will write it): the case is still open in Temporal.
    await stack.db.prisma.application.deleteMany({ where: { id } });
    const again = await agentFor(stack.app, token).post('/applications').send(body).expect(409);
    expect(again.body.existingApplicationId).toBe(id);
    expect(await claims(id)).toBeGreaterThan(0);
  });
});
