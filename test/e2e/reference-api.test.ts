import { loadReferenceData } from '../../adapters/reference-data';
import { intakeRequest } from '../helpers/fixtures';
import { agentFor, createStaff, startStack } from '../helpers/stack';
import type { Stack } from '../helpers/stack';

describe('calendar and catalogue over HTTP', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const deadline = (query: Record<string, string | number>) =>
    stack.api.get('/calendar/deadline').query(query);

  it('computes a business-day deadline across Easter, citing the law', async () => {
    const res = await deadline({
      municipality: '08305',
      from: '2026-03-30',
      amount: 10,
      unit: 'business_days',
    }).expect(200);
    expect(res.body).toMatchObject({
      deadline: '2026-04-15',
      nonBusinessDaysSkipped: 6,
      countedFrom: '2026-03-30',
      // The shipped local holidays of Vilafranca for 2026 are not entered yet: said, not hidden.
      provisional: true,
    });
    expect(res.body.provisionalReasons[0]).toMatch(/local holidays of 08305 for 2026/);
    expect(res.body.legalBasis.map((b: { citation: string }) => b.citation)).toEqual([
      'Llei 39/2015, art. 30.2',
      'Llei 39/2015, art. 30.3',
      'Llei 39/2015, art. 30.7',
    ]);
    expect(res.body.legalBasis[0].ca).toMatch(/dies són hàbils/);
    expect(res.body.legalBasis[0].es).toMatch(/días son hábiles/);
  });

  it('moves a filing made on a non-business day to the next business day (art. 31)', async () => {
    const res = await deadline({
      municipality: '08187',
      from: '2026-04-04T10:00:00Z',
      amount: 3,
      unit: 'months',
      event: 'filing',
    }).expect(200);
    expect(res.body).toMatchObject({ countedFrom: '2026-04-07', deadline: '2026-07-07' });
    expect(res.body.legalBasis[0].article).toBe('31.2.b');
  });

  it('reads a date-time in the office time zone', async () => {
    // 23:30 UTC on 31 January is 1 February in Barcelona.
    const res = await deadline({
      municipality: '08187',
      from: '2026-01-31T23:30:00Z',
      amount: 1,
      unit: 'months',
    }).expect(200);
    expect(res.body.countedFrom).toBe('2026-02-01');
    expect(res.body.deadline).toBe('2026-03-02');
  });

  it.each([
    [{ municipality: '99999', from: '2026-03-30', amount: 10, unit: 'business_days' }, 'query.municipality'],
    [{ municipality: '08305', from: '2026-02-30', amount: 10, unit: 'business_days' }, 'query.from'],
    [{ municipality: '08305', from: '2026-03-30T10:00', amount: 10, unit: 'business_days' }, 'query.from'],
    [{ municipality: '08305', from: '2026-03-30', amount: 0, unit: 'business_days' }, 'query.amount'],
    [{ municipality: '08305', from: '2026-03-30', amount: 'ten', unit: 'business_days' }, 'query.amount'],
    [{ municipality: '08305', from: '2026-03-30', amount: 100000, unit: 'business_days' }, 'query.amount'],
    [{ municipality: '08305', from: '2026-03-30', amount: 10, unit: 'weeks' }, 'query.unit'],
    [{ municipality: '08305', from: '2026-03-30', amount: 10, unit: 'months', extra: 1 }, 'query'],
  ])('answers 400 for %j, naming %s', async (query, field) => {
    const res = await deadline(query).expect(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('answers 400 when required parameters are missing', async () => {
    const res = await stack.api.get('/calendar/deadline').expect(400);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'query.amount',
      'query.from',
      'query.municipality',
      'query.unit',
    ]);
  });

  it('serves the catalogue version in force, and lists the others', async () => {
    const july = await stack.api.get('/catalogue/08305').query({ on: '2026-07-15' }).expect(200);
    expect(july.body).toMatchObject({ version: '2026.2', effectiveFrom: '2026-07-01' });
    expect(july.body.versions.map((v: { version: string }) => v.version)).toEqual(['2026.1', '2026.2']);
    expect(july.body.benefits).toHaveLength(5);
    await stack.api.get('/catalogue/08305').query({ on: '2025-06-01' }).expect(404);
    await stack.api.get('/catalogue/99999').expect(400);
    await stack.api.get('/catalogue/08305').query({ on: 'yesterday' }).expect(400);
  });

  it('refuses to file an application for a benefit with no catalogue version in force, starting nothing', async () => {
    const reference = loadReferenceData();
    const app = stack.appWith({
      reference: {
        ...reference,
        catalogue: reference.catalogue.filter((v) => v.municipalityCode !== '08112'),
      },
    });
    const before = await stack.db.prisma.applicationNumberCounter.findMany({
      where: { municipalityCode: '08112' },
    });
    const { token } = await createStaff(stack.db.prisma, 'administrative');
    const res = await agentFor(app, token)
      .post('/applications')
      .send(intakeRequest({ municipalityCode: '08112' }))
      .expect(422);
    expect(res.body.detail).toMatch(/No catalogue version of URGENCY_FOOD is in force in 08112/);
    expect(
      await stack.db.prisma.applicationNumberCounter.findMany({ where: { municipalityCode: '08112' } }),
    ).toEqual(before);
  });
});
