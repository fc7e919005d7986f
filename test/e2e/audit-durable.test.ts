/**
 * No personal data leaves without its record (issue #28, finding 6; RGPD art. 5.2, ENS op.exp.8): an answer
 * is held until its audit rows are committed, and becomes a 503 with no data in it when they cannot be.
 * The database refuses the rows for real here: a CHECK constraint added NOT VALID applies to new rows only.
 */
import { intakeRequest } from '../helpers/fixtures';
import { eventually, startStack } from '../helpers/stack';
import type { Stack, StaffSession } from '../helpers/stack';

describe('durable audit', () => {
  let stack: Stack;
  let admin: StaffSession;
  let id: string;
  const filing = intakeRequest();
  const { applicant } = filing;
  const refuseAuditRows = () =>
    stack.db.prisma.$executeRawUnsafe(
      'ALTER TABLE audit_entry ADD CONSTRAINT audit_refused_in_test CHECK (false) NOT VALID',
    );
  const acceptAuditRows = () =>
    stack.db.prisma.$executeRawUnsafe(
      'ALTER TABLE audit_entry DROP CONSTRAINT IF EXISTS audit_refused_in_test',
    );

  beforeAll(async () => {
    stack = await startStack();
    admin = await stack.as('administrative');
    const filed = await admin.api.post('/applications').send(filing).expect(201);
    id = (filed.body as { applicationId: string }).applicationId;
    await eventually(
      async () => (await admin.api.get(`/applications/${id}`)).status,
      (status) => status === 200,
    );
  });
  afterEach(acceptAuditRows);
  afterAll(async () => {
    await stack?.stop();
  });

  it('answers a read only once its audit row is committed', async () => {
    const before = await stack.db.prisma.auditEntry.count({ where: { applicationId: id, status: 200 } });
    const read = await admin.api.get(`/applications/${id}`).expect(200);
    expect(read.body).toMatchObject({ applicationId: id });
    // The row exists by the time the answer arrived: no flush, no wait.
    expect(await stack.db.prisma.auditEntry.count({ where: { applicationId: id, status: 200 } })).toBe(
      before + 1,
    );
  });

  it('refuses a read with 503 and no personal data when its audit row cannot be committed', async () => {
    await refuseAuditRows();
    const read = await admin.api.get(`/applications/${id}`);
    expect(read.status).toBe(503);
    expect(read.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(read.headers['retry-after']).toBe('5');
    expect(read.body).toMatchObject({ status: 503, rejection: 'AuditUnavailable' });
    expect(read.text).not.toContain(applicant.documentNumber);
    expect(read.text).not.toContain(applicant.firstName);
    expect(read.text).not.toContain(id);
    // A list of cases is personal data too.
    const list = await admin.api.get('/applications');
    expect(list.status).toBe(503);
    expect(list.text).not.toContain(applicant.documentNumber);
    // Once the rows can be written again, the same read is answered.
    await acceptAuditRows();
    await admin.api.get(`/applications/${id}`).expect(200);
  });

  it('refuses an action the same way, and a right-of-access export with every case row', async () => {
    const coordinator = await stack.as('coordinator');
    await refuseAuditRows();
    // The escalation is done (the case's history has it, with its actor), but its answer is not given
    // without the record: repeated with the same Idempotency-Key once the rows can be written, it answers.
    const escalate = () =>
      coordinator.api
        .post(`/applications/${id}/escalation`)
        .set('idempotency-key', `durable-audit-${id}`)
        .send({ reason: 'Cas urgent: família amb menors sense subministraments' });
    const refused = await escalate();
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ rejection: 'AuditUnavailable' });
    const exported = await coordinator.api
      .post('/subject-access-requests')
      .send({ documentNumber: applicant.documentNumber });
    expect(exported.status).toBe(503);
    expect(exported.text).not.toContain(applicant.firstName);
    expect(exported.text).not.toContain(applicant.documentNumber);
    await acceptAuditRows();
    const escalated = await escalate();
    expect(escalated.status).toBe(200);
    const again = await coordinator.api
      .post('/subject-access-requests')
      .send({ documentNumber: applicant.documentNumber })
      .expect(200);
    const cases = (again.body as { cases: { applicationId: string }[] }).cases;
    expect(cases.map((c) => c.applicationId)).toContain(id);
    // The request's own row and one per case exported, committed before the answer.
    const rows = await stack.db.prisma.auditEntry.findMany({
      where: { staffId: coordinator.id, action: 'export_personal_data', status: 200 },
    });
    expect(rows.map((r) => r.applicationId).sort()).toEqual(
      [null, ...cases.map((c) => c.applicationId)].sort(),
    );
  });
});
