/**
 * The staff API over HTTP against the running stack (dev server, real worker and activities, PostgreSQL):
 * authentication, the role × municipality matrix, case actions through a lifecycle, professional notes,
 * reads from the projection, idempotent intake, the audit log, rate limits, CORS and unreachable
 * dependencies. Every response checked against the OpenAPI document.
 */
import { Client, Connection } from '@temporalio/client';
import request from 'supertest';
import type { Response } from 'supertest';
import { CASE_ACTION_ROUTES } from '../../api/features/applications/case-actions';
import { mayPerform, STAFF_ROLES } from '../../domain/access';
import type { CaseAction, StaffRole } from '../../domain/access';
import type { ApplicationStatus } from '../../domain/application';
import { officeDateOf } from '../../domain/dates';
import { createPrisma } from '../../adapters/db/prisma';
import { revokeTokens } from '../../adapters/db/staff';
import { freePort } from '../../scripts/dev/ports';
import { intakeRequest } from '../helpers/fixtures';
import { expectConforms } from '../helpers/openapi';
import { agentFor, createStaff, eventually, startStack } from '../helpers/stack';
import type { Stack, StaffSession } from '../helpers/stack';

const HOME = '08305';
const ELSEWHERE = '08096';

/** A valid body for each action: what the matrix sends (the case's state may still refuse it). */
const SAMPLE_BODIES: Record<string, unknown> = {
  documents: { documents: ['NOT_REQUESTED'] },
  'document-deadline-extension': { days: 2 },
  assessment: { recommendation: 'grant', report: 'Informe social' },
  proposal: { outcome: 'refused', reasons: 'No compleix' },
  resolution: { approve: true },
  notification: { outcome: 'accepted', on: '2026-03-02' },
  appeal: { grounds: 'No hi estic d’acord' },
  'appeal-resolution': { upheld: false, reasons: 'Es manté' },
  justification: { verdict: 'accepted' },
  repayments: { amount: 10 },
  'payment-retry': {},
  'change-of-circumstances': { description: 'Nova feina', facts: { monthlyIncome: 900 } },
  withdrawal: { reason: 'Ja no ho necessito' },
  assignment: { assignee: 'PLACEHOLDER' },
  'retry-now': { reason: 'El padró ja torna a funcionar' },
  cancellation: { reason: 'Sol·licitud duplicada' },
  escalation: { reason: 'La família no té subministraments' },
};

describe('staff API', () => {
  let stack: Stack;
  const staff = {} as Record<StaffRole, StaffSession>;
  const outsiders = {} as Record<StaffRole, StaffSession>;

  beforeAll(async () => {
    stack = await startStack();
    for (const role of STAFF_ROLES) {
      staff[role] = await stack.as(role, [HOME]);
      outsiders[role] = await stack.as(role, [ELSEWHERE]);
    }
  });
  afterAll(async () => {
    await stack?.stop();
  });

  /** Checks the response against the OpenAPI document, then returns it. */
  const conform = (res: Response): Response => {
    expectConforms(res);
    return res;
  };

  async function file(as: StaffSession = staff.administrative, overrides = {}): Promise<string> {
    const res = conform(
      await as.api.post('/applications').send(intakeRequest({ municipalityCode: HOME, ...overrides })),
    );
    expect(res.status).toBe(201);
    return res.body.applicationId as string;
  }

  async function statusOf(id: string, as = staff.coordinator): Promise<ApplicationStatus> {
    return (await as.api.get(`/applications/${id}`).expect(200)).body as ApplicationStatus;
  }

  const inState = (id: string, state: string) =>
    eventually(
      () => statusOf(id),
      (s) => s.state === state,
    );

  describe('authentication', () => {
    it('refuses requests without a valid token with 401 and says how to authenticate', async () => {
      for (const auth of [
        undefined,
        'Bearer nope',
        'Basic dXNlcjpwYXNz',
        'Bearer ogps_unknownunknownunknownunknown',
      ]) {
        const req = request(stack.app).get('/applications');
        const res = conform(await (auth ? req.set('authorization', auth) : req));
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
        expect(res.body).toMatchObject({ status: 401, title: 'Not authenticated' });
      }
    });

    it('refuses a revoked or expired token, and leaves health and docs open', async () => {
      const member = await createStaff(stack.db.prisma, 'administrative', [HOME]);
      await agentFor(stack.app, member.token).get('/me').expect(200);
      await revokeTokens(stack.db.prisma, member.id);
      await agentFor(stack.app, member.token).get('/me').expect(401);
      const expired = await createStaff(stack.db.prisma, 'administrative', [HOME]);
      await stack.db.prisma.apiToken.updateMany({
        where: { staffId: expired.id },
        data: { expiresAt: new Date(Date.now() - 1000) },
      });
      await agentFor(stack.app, expired.token).get('/me').expect(401);
      for (const open of ['/health', '/openapi.json', '/docs'])
        await request(stack.app).get(open).expect(200);
    });

    it('stores only the hash of a token', async () => {
      const member = await createStaff(stack.db.prisma, 'auditor', [HOME]);
      const rows = await stack.db.prisma.apiToken.findMany({ where: { staffId: member.id } });
      expect(rows).toHaveLength(1);
      expect(JSON.stringify(rows)).not.toContain(member.token);
    });

    it('tells the caller who they are and what their role allows', async () => {
      const me = conform(await staff.administrative.api.get('/me').expect(200));
      expect(me.body).toMatchObject({
        id: staff.administrative.id,
        role: 'administrative',
        municipalities: [HOME],
      });
      expect(me.body.allowedActions).toContain('file');
      expect(me.body.allowedActions).not.toContain('read_notes');
    });
  });

  describe('role × municipality', () => {
    const matrix = CASE_ACTION_ROUTES.flatMap((action) =>
      STAFF_ROLES.map((role) => [action.path, action.permission, role] as const),
    );

    it.each(matrix)(
      '%s (%s) as %s: allowed where the role may, refused elsewhere',
      async (path, permission, role) => {
        const id = await file();
        const body =
          path === 'assignment' ? { assignee: staff.coordinator.id } : (SAMPLE_BODIES[path] as object);
        const home = conform(await staff[role].api.post(`/applications/${id}/${path}`).send(body));
        if (mayPerform(role, permission)) {
          // The case may still refuse it for its state (409/422), but not for who asks.
          expect([200, 409, 422]).toContain(home.status);
        } else {
          expect(home.status).toBe(403);
          expect(home.body.allowedRoles).toEqual(STAFF_ROLES.filter((r) => mayPerform(r, permission)));
        }
        // Another municipality's case is not there for them, whatever their role.
        const away = conform(await outsiders[role].api.post(`/applications/${id}/${path}`).send(body));
        expect(away.status).toBe(mayPerform(role, permission) ? 404 : 403);
      },
    );

    const reads: [string, CaseAction][] = [
      ['', 'read'],
      ['/deadlines', 'read'],
      ['/history', 'read'],
      ['/notes', 'read_notes'],
    ];
    it.each(STAFF_ROLES)('reads of a case as %s', async (role) => {
      const id = await file();
      await inState(id, 'awaiting_documents');
      for (const [suffix, permission] of reads) {
        const home = conform(await staff[role].api.get(`/applications/${id}${suffix}`));
        expect(home.status).toBe(mayPerform(role, permission) ? 200 : 403);
        const away = conform(await outsiders[role].api.get(`/applications/${id}${suffix}`));
        expect(away.status).toBe(mayPerform(role, permission) ? 404 : 403);
      }
    });

    it.each(STAFF_ROLES)(
      'filing as %s: only where the role may and in their municipalities',
      async (role) => {
        const res = conform(
          await staff[role].api.post('/applications').send(intakeRequest({ municipalityCode: HOME })),
        );
        expect(res.status).toBe(mayPerform(role, 'file') ? 201 : 403);
        const away = conform(
          await staff[role].api.post('/applications').send(intakeRequest({ municipalityCode: ELSEWHERE })),
        );
        expect(away.status).toBe(403);
      },
    );

    it('lists and counts only the municipalities the person works for', async () => {
      const id = await file();
      await eventually(
        () => stack.db.prisma.application.findUnique({ where: { id } }),
        (row) => row !== null,
      );
      const mine = conform(await staff.auditor.api.get('/applications').query({ limit: 200 }).expect(200));
      expect(mine.body.items.map((i: { applicationId: string }) => i.applicationId)).toContain(id);
      const theirs = conform(
        await outsiders.coordinator.api.get('/applications').query({ limit: 200 }).expect(200),
      );
      expect(theirs.body.items.map((i: { municipalityCode: string }) => i.municipalityCode)).not.toContain(
        HOME,
      );
      const asked = conform(
        await outsiders.coordinator.api.get('/applications').query({ municipality: HOME }),
      );
      expect(asked.status).toBe(403);
    });
  });

  describe('a case through its lifecycle over the API', () => {
    it('documents, report (a professional note), four eyes, resolution, notification, history and deadlines', async () => {
      const id = await file();
      const waiting = await inState(id, 'awaiting_documents');
      const requested = waiting.documentRequest?.documents.map((d) => d.code) ?? [];
      expect(requested.length).toBeGreaterThan(0);

      // The projection follows the workflow shortly after.
      const deadlines = await eventually(
        async () => conform(await staff.administrative.api.get(`/applications/${id}/deadlines`).expect(200)),
        (res) => (res.body.deadlines as { kind: string }[]).some((d) => d.kind === 'document_request'),
      );
      const documentRequest = (deadlines.body.deadlines as { kind: string; legalBasis: string[] }[]).find(
        (d) => d.kind === 'document_request',
      );
      expect(documentRequest?.legalBasis.join(' ')).toMatch(/68/);

      conform(
        await staff.administrative.api
          .post(`/applications/${id}/documents`)
          .send({ documents: requested })
          .expect(200),
      );
      await inState(id, 'assessment');

      const secret = 'Situació familiar delicada: violència de gènere, no compartir';
      const reported = conform(
        await staff.social_worker.api
          .post(`/applications/${id}/assessment`)
          .send({ recommendation: 'refuse', report: secret })
          .expect(200),
      );
      expect(JSON.stringify(reported.body)).not.toContain(secret);
      const notes = conform(await staff.social_worker.api.get(`/applications/${id}/notes`).expect(200));
      expect(notes.body.notes).toEqual([
        expect.objectContaining({ kind: 'assessment_report', author: staff.social_worker.id, text: secret }),
      ]);
      await staff.administrative.api.get(`/applications/${id}/notes`).expect(403);
      for (const read of ['', '/history', '/deadlines']) {
        const seen = await staff.administrative.api.get(`/applications/${id}${read}`).expect(200);
        expect(JSON.stringify(seen.body)).not.toContain(secret);
      }

      conform(
        await staff.social_worker.api
          .post(`/applications/${id}/proposal`)
          .send({ outcome: 'refused', reasons: 'Ingressos per sobre del llindar' })
          .expect(200),
      );
      const fourEyes = conform(
        await staff.social_worker.api.post(`/applications/${id}/resolution`).send({ approve: true }),
      );
      expect(fourEyes.status).toBe(409);
      expect(fourEyes.body.rejection).toBe('FourEyesViolation');
      const resolved = conform(
        await staff.coordinator.api
          .post(`/applications/${id}/resolution`)
          .send({ approve: true })
          .expect(200),
      );
      expect(resolved.body.resolution).toMatchObject({
        outcome: 'refused',
        resolvedBy: staff.coordinator.id,
      });

      await inState(id, 'notifying');
      const notified = conform(
        await staff.administrative.api
          .post(`/applications/${id}/notification`)
          .send({ outcome: 'accepted', on: officeDateOf(new Date()) })
          .expect(200),
      );
      expect(notified.body.notification).toMatchObject({ outcome: 'accepted' });

      const history = await eventually(
        async () => conform(await staff.auditor.api.get(`/applications/${id}/history`).expect(200)),
        (res) => (res.body.events as { type: string }[]).some((e) => e.type === 'notification_accepted'),
      );
      const types = (history.body.events as { type: string }[]).map((e) => e.type);
      expect(types).toEqual(
        expect.arrayContaining([
          'documents_delivered',
          'assessment_report',
          'resolution_approved',
          'resolved',
        ]),
      );
      const actors = (history.body.events as { actor: string | null }[]).map((e) => e.actor);
      expect(actors).toEqual(expect.arrayContaining([staff.social_worker.id, staff.coordinator.id]));
    });

    it('refuses an action out of order with 409 and the reason, and bad bodies with 400', async () => {
      const id = await file();
      await inState(id, 'awaiting_documents');
      const early = conform(
        await staff.coordinator.api
          .post(`/applications/${id}/proposal`)
          .send({ outcome: 'granted', reasons: 'x' }),
      );
      expect(early.status).toBe(409);
      expect(early.body).toMatchObject({ rejection: 'InvalidTransition', detail: expect.any(String) });
      const bad = conform(
        await staff.coordinator.api.post(`/applications/${id}/document-deadline-extension`).send({ days: 9 }),
      );
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0].field).toBe('body.days');
      const assignee = conform(
        await staff.coordinator.api
          .post(`/applications/${id}/assignment`)
          .send({ assignee: outsiders.social_worker.id }),
      );
      expect(assignee.status).toBe(400);
      expect(assignee.body.errors[0].field).toBe('body.assignee');
      const reassigned = conform(
        await staff.coordinator.api
          .post(`/applications/${id}/assignment`)
          .send({ assignee: staff.social_worker.id })
          .expect(200),
      );
      expect(reassigned.body.assignee).toBe(staff.social_worker.id);
    });
  });

  describe('reads', () => {
    it('filters and pages the list', async () => {
      const ids = [await file(), await file(), await file()];
      for (const id of ids) {
        await eventually(
          () => stack.db.prisma.application.findUnique({ where: { id } }),
          (row) => row?.state === 'awaiting_documents',
        );
      }
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: Response = conform(
          await staff.coordinator.api
            .get('/applications')
            .query({
              state: 'awaiting_documents',
              benefit: 'URGENCY_FOOD',
              limit: 2,
              ...(cursor ? { cursor } : {}),
            })
            .expect(200),
        );
        expect(res.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...res.body.items.map((i: { applicationId: string }) => i.applicationId));
        cursor = res.body.nextCursor as string | null;
      } while (cursor);
      expect(seen).toEqual(expect.arrayContaining(ids));
      expect(new Set(seen).size).toBe(seen.length);

      const due = conform(
        await staff.coordinator.api.get('/applications').query({ deadlineBefore: '2000-01-01' }).expect(200),
      );
      expect(due.body.items).toEqual([]);
      const blocked = conform(
        await staff.coordinator.api.get('/applications').query({ blocked: 'true' }).expect(200),
      );
      expect(blocked.body.items).toEqual([]);
      const bad = conform(
        await staff.coordinator.api.get('/applications').query({ state: 'nope', limit: 0 }),
      );
      expect(bad.status).toBe(400);
      expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
        'query.limit',
        'query.state',
      ]);
    });
  });

  describe('intake', () => {
    it('names every bad field: document check letters, IBAN, dates, household consistency', async () => {
      const res = conform(
        await staff.administrative.api.post('/applications').send(
          intakeRequest({
            household: [
              {
                firstName: 'Pere',
                documentNumber: '12345678A',
                birthDate: '1980-01-01',
                relationship: 'partner',
              },
              { firstName: 'Anna', birthDate: '2030-02-30', relationship: 'partner' },
            ],
            incomes: [{ member: 5, source: 'work', monthlyAmount: -3 }],
            bankAccount: { iban: 'ES91 2100 0418 4502 0005 1333', holder: 'Núria Puig' },
          }),
        ),
      );
      expect(res.status).toBe(400);
      const fields = (res.body.errors as { field: string }[]).map((e) => e.field).sort();
      expect(fields).toEqual([
        'body.bankAccount.iban',
        'body.household.0.documentNumber',
        'body.household.1.birthDate',
        'body.household.1.relationship', // a second partner
        'body.incomes.0.member', // there is no member 5
        'body.incomes.0.monthlyAmount',
      ]);
      const consistent = conform(
        await staff.administrative.api.post('/applications').send(
          intakeRequest({
            household: [
              {
                firstName: 'Pere',
                documentNumber: '00000001R',
                birthDate: '1980-01-01',
                relationship: 'partner',
              },
              {
                firstName: 'Anna',
                documentNumber: '00000001R',
                birthDate: '1981-01-01',
                relationship: 'partner',
              },
            ],
            incomes: [{ member: 3, source: 'work', monthlyAmount: 300 }],
          }),
        ),
      );
      expect(consistent.status).toBe(400);
      expect((consistent.body.errors as { field: string }[]).map((e) => e.field).sort()).toEqual([
        'body.household.1.documentNumber',
        'body.household.1.relationship',
        'body.incomes.0.member',
      ]);
      const future = conform(
        await staff.administrative.api.post('/applications').send(
          intakeRequest({
            household: [{ firstName: 'Nadó', birthDate: '2999-01-01', relationship: 'child' }],
          }),
        ),
      );
      expect(future.status).toBe(400);
      expect(future.body.errors[0].field).toBe('body.household.0.birthDate');
    });

    it('files a household with incomes and a bank account', async () => {
      const id = await file(staff.administrative, {
        household: [{ firstName: 'Pol', birthDate: '2018-05-01', relationship: 'child' }],
        incomes: [{ member: 'applicant', source: 'work', monthlyAmount: 420.5 }],
        bankAccount: { iban: 'ES91 2100 0418 4502 0005 1332', holder: 'Núria Puig' },
      });
      expect(id).toMatch(/^08305-/);
      // Kept as filed (not only the facts the rules use), apart from the case view.
      const intake = await eventually(
        () => stack.db.prisma.applicationIntake.findUnique({ where: { applicationId: id } }),
        (row) => row !== null,
      );
      expect(intake).toMatchObject({
        household: [{ firstName: 'Pol', birthDate: '2018-05-01', relationship: 'child' }],
        incomes: [{ member: 'applicant', source: 'work', monthlyAmount: 420.5 }],
        bankIban: 'ES9121000418450200051332',
        bankHolder: 'Núria Puig',
      });
    });

    it('answers the same application to a retried filing with the same Idempotency-Key, even concurrently', async () => {
      const body = intakeRequest({ municipalityCode: HOME });
      const key = `intake-${Date.now()}`;
      const allocated = async () =>
        (
          await stack.db.prisma.applicationNumberCounter.aggregate({
            where: { municipalityCode: HOME },
            _sum: { lastValue: true },
          })
        )._sum.lastValue ?? 0;
      const before = await allocated();
      const responses = await Promise.all(
        Array.from({ length: 5 }, () =>
          staff.administrative.api.post('/applications').set('idempotency-key', key).send(body),
        ),
      );
      responses.forEach(conform);
      expect(responses.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
      const ids = new Set(responses.map((r) => r.body.applicationId as string));
      expect(ids.size).toBe(1);
      expect(responses.filter((r) => r.headers['idempotent-replayed'] === 'true')).toHaveLength(4);
      expect((await allocated()) - before).toBe(1);

      const reused = conform(
        await staff.administrative.api
          .post('/applications')
          .set('idempotency-key', key)
          .send({ ...body, benefitCode: 'BASIC_SUPPLIES' }),
      );
      expect(reused.status).toBe(422);
      const badKey = conform(
        await staff.administrative.api.post('/applications').set('idempotency-key', 'x').send(body),
      );
      expect(badKey.status).toBe(400);
    });

    it("refuses a second open application of the same household with the existing case's number", async () => {
      const body = intakeRequest({ municipalityCode: HOME });
      const first = await file(staff.administrative, body);
      const partner = {
        firstName: 'Jan',
        documentNumber: body.applicant.documentNumber,
        birthDate: '1979-03-03',
        relationship: 'partner' as const,
      };
      // The same person, now as a member of someone else's filing, for the same benefit.
      const second = conform(
        await staff.administrative.api
          .post('/applications')
          .send(intakeRequest({ municipalityCode: HOME, household: [partner] })),
      );
      expect(second.status).toBe(409);
      expect(second.body.existingApplicationId).toBe(first);
      // Another benefit is another matter.
      const other = conform(
        await staff.administrative.api.post('/applications').send({ ...body, benefitCode: 'BASIC_SUPPLIES' }),
      );
      expect(other.status).toBe(201);
      // Once the first case is closed, the household may apply again.
      await inState(first, 'awaiting_documents');
      await staff.administrative.api.post(`/applications/${first}/withdrawal`).send({}).expect(200);
      await eventually(
        () => stack.db.prisma.householdClaim.count({ where: { applicationId: first } }),
        (n) => n === 0,
      );
      conform(await staff.administrative.api.post('/applications').send(body).expect(201));
    });
  });

  describe('audit', () => {
    it('records every read and action, refused ones too, for coordinators and auditors to read', async () => {
      const id = await file();
      await inState(id, 'awaiting_documents');
      await staff.administrative.api.get(`/applications/${id}/history`).expect(200);
      await staff.administrative.api.get(`/applications/${id}/notes`).expect(403);
      // Entries are written as responses finish.
      await eventually(
        () => stack.db.prisma.auditEntry.count({ where: { applicationId: id, action: 'read_notes' } }),
        (n) => n === 1,
      );
      const log = conform(
        await staff.auditor.api.get('/audit').query({ applicationId: id, limit: 50 }).expect(200),
      );
      const entries = log.body.items as { staffId: string; action: string; status: number; ip: string }[];
      expect(entries).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ staffId: staff.administrative.id, action: 'file', status: 201 }),
          expect.objectContaining({ staffId: staff.administrative.id, action: 'read_history', status: 200 }),
          expect.objectContaining({ staffId: staff.administrative.id, action: 'read_notes', status: 403 }),
        ]),
      );
      expect(entries.every((e) => typeof e.ip === 'string')).toBe(true);
      conform(await staff.administrative.api.get('/audit').expect(403));
      conform(await outsiders.auditor.api.get('/audit').query({ applicationId: id }).expect(404));
    });
  });

  describe('protection', () => {
    it('limits requests per person with 429 and Retry-After', async () => {
      const app = stack.appWith({
        rateLimitPerMinute: 3,
      });
      const member = await createStaff(stack.db.prisma, 'auditor', [HOME]);
      const other = await createStaff(stack.db.prisma, 'auditor', [HOME]);
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await agentFor(app, member.token).get('/me')).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const limited = await agentFor(app, member.token).get('/me');
      expect(limited.headers['retry-after']).toBeDefined();
      expect(limited.body).toMatchObject({ status: 429 });
      await agentFor(app, other.token).get('/me').expect(200);
    });

    it('keeps CORS closed unless origins are configured', async () => {
      const closed = await request(stack.app)
        .options('/applications')
        .set('origin', 'https://evil.example')
        .set('access-control-request-method', 'POST');
      expect(closed.headers['access-control-allow-origin']).toBeUndefined();
      const app = stack.appWith({
        corsOrigins: ['https://ogps.example.cat'],
      });
      const open = await request(app)
        .options('/applications')
        .set('origin', 'https://ogps.example.cat')
        .set('access-control-request-method', 'POST');
      expect(open.headers['access-control-allow-origin']).toBe('https://ogps.example.cat');
      const other = await request(app)
        .options('/applications')
        .set('origin', 'https://evil.example')
        .set('access-control-request-method', 'POST');
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('answers 503 with Retry-After when Temporal or the database is unreachable', async () => {
      const deadPort = await freePort();
      const connection = await Connection.connect({
        address: `127.0.0.1:${deadPort}`,
        connectTimeout: 500,
      }).catch(() => undefined);
      const lazy = connection ?? Connection.lazy({ address: `127.0.0.1:${deadPort}`, connectTimeout: 500 });
      const deadPrisma = createPrisma(`postgresql://nobody@127.0.0.1:${deadPort}/none`);
      const member = await createStaff(stack.db.prisma, 'coordinator', [HOME]);
      const id = await file();
      try {
        const noTemporal = stack.appWith({ temporal: new Client({ connection: lazy }) });
        const res = await agentFor(noTemporal, member.token).get(`/applications/${id}`);
        expect(res.status).toBe(503);
        expect(res.headers['retry-after']).toBeDefined();
        const noDatabase = stack.appWith({ prisma: deadPrisma });
        // Authentication itself needs the database: 503, not 401 or 500.
        const down = await agentFor(noDatabase, member.token).get('/applications');
        expect(down.status).toBe(503);
        expect(down.headers['retry-after']).toBeDefined();
      } finally {
        await lazy.close().catch(() => undefined);
        await deadPrisma.$disconnect();
      }
    });
  });
});
