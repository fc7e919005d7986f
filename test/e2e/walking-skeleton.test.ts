import { formatApplicationNumber } from '../../domain/application';
import type { ApplicationStatus } from '../../domain/application';
import { officeStartOfDay, plusDays } from '../../domain/dates';
import { nextDeadlineKey } from '../../workflows/search-attributes';
import { officeYear } from '../../adapters/db/application-numbers';
import type { applicationWorkflow } from '../../workflows/application';
import { applicationInput, intakeRequest } from '../helpers/fixtures';
import { eventually, startStack } from '../helpers/stack';
import type { Stack } from '../helpers/stack';

describe('walking skeleton: HTTP → workflow → PostgreSQL → query', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('files an application, records it in PostgreSQL and answers its status from the workflow', async () => {
    const filing = intakeRequest();
    const created = await stack.api.post('/applications').send(filing).expect(201);
    const id: string = created.body.applicationId;
    expect(id).toMatch(/^08305-\d{4}-\d{6}$/);
    expect(created.headers.location).toBe(`/applications/${id}`);

    const status = await eventually(
      async () => (await stack.api.get(`/applications/${id}`).expect(200)).body as { state: string },
      // No registry connector is configured here, so the documents are requested from the person.
      (body: { state: string }) => body.state === 'awaiting_documents',
    );
    expect(status).toMatchObject({
      applicationId: id,
      municipalityCode: '08305',
      benefitCode: 'URGENCY_FOOD',
      catalogueVersion: expect.stringMatching(/^2026\.\d$/),
      effectiveFilingDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
    });

    // The projection follows the workflow by an activity: it catches up shortly after the query.
    const deadlines = await eventually(
      () => stack.db.prisma.applicationDeadline.findMany({ where: { applicationId: id } }),
      (rows) => rows.length === 2,
    );
    const row = await stack.db.prisma.application.findUniqueOrThrow({
      where: { id },
      include: { events: { orderBy: { id: 'asc' } } },
    });
    expect(row.catalogueVersion).toBe((status as unknown as { catalogueVersion: string }).catalogueVersion);
    expect(row).toMatchObject({
      state: 'awaiting_documents',
      applicantDocument: filing.applicant.documentNumber,
      municipalityCode: '08305',
    });
    expect(row.events.map((e) => e.type)).toEqual(['registered', 'acknowledged', 'document_request']);
    expect(deadlines.map((d) => d.kind).sort()).toEqual(['document_request', 'max_time_to_resolve']);
    expect(deadlines.find((d) => d.kind === 'max_time_to_resolve')?.pausedSince).not.toBeNull();
    expect(await stack.db.prisma.notice.count({ where: { applicationId: id } })).toBe(2);
  });

  it('lists cases in Temporal by their search attributes: state, benefit, municipality, next deadline', async () => {
    const { body } = await stack.api.post('/applications').send(intakeRequest()).expect(201);
    const id: string = body.applicationId;
    const status = await eventually(
      async () => (await stack.api.get(`/applications/${id}`).expect(200)).body as ApplicationStatus,
      (s) => s.state === 'awaiting_documents',
    );
    const query = `WorkflowId = "${id}" AND OgpsState = "awaiting_documents" AND OgpsBenefit = "URGENCY_FOOD" AND OgpsMunicipality = "08305"`;
    // Visibility is eventually consistent: the list catches up with the workflow shortly.
    const listed = await eventually(
      async () => {
        const found = [];
        for await (const wf of stack.client.workflow.list({ query })) found.push(wf);
        return found;
      },
      (found) => found.length === 1,
    );
    // The request to remedy runs; the time to resolve is paused, so it is not the next deadline.
    const remedy = status.deadlines.find((d) => d.kind === 'document_request');
    expect(listed[0]?.typedSearchAttributes.get(nextDeadlineKey)?.toISOString()).toBe(
      new Date(officeStartOfDay(plusDays(remedy!.dueDate, 1))).toISOString(),
    );
    let none = 0;
    for await (const _ of stack.client.workflow.list({
      query: `WorkflowId = "${id}" AND OgpsState = "assessment"`,
    }))
      none++;
    expect(none).toBe(0);
  });

  it('numbers applications in sequence per municipality', async () => {
    const a = await stack.api
      .post('/applications')
      .send(intakeRequest({ municipalityCode: '08187' }))
      .expect(201);
    const b = await stack.api
      .post('/applications')
      .send(intakeRequest({ municipalityCode: '08187' }))
      .expect(201);
    const seq = (id: string): number => Number(id.split('-')[2]);
    expect(seq(b.body.applicationId)).toBe(seq(a.body.applicationId) + 1);
  });

  it('skips a number Temporal already holds (a database behind its workflows) instead of failing', async () => {
    const year = officeYear(new Date());
    const counter = await stack.db.prisma.applicationNumberCounter.findUniqueOrThrow({
      where: { municipalityCode_year: { municipalityCode: '08112', year } },
    });
    const taken = formatApplicationNumber('08112', year, counter.lastValue + 1);
    await stack.client.workflow.start<typeof applicationWorkflow>('applicationWorkflow', {
      workflowId: taken,
      taskQueue: stack.taskQueue,
      args: [applicationInput(taken, { municipalityCode: '08112' })],
    });
    const res = await stack.api
      .post('/applications')
      .send(intakeRequest({ municipalityCode: '08112' }))
      .expect(201);
    expect(res.body.applicationId).toBe(formatApplicationNumber('08112', year, counter.lastValue + 2));
  });

  it('withdraws an application, projects it, and refuses a second withdrawal with 409', async () => {
    const { body } = await stack.api.post('/applications').send(intakeRequest()).expect(201);
    const id: string = body.applicationId;
    const withdrawn = await stack.api
      .post(`/applications/${id}/withdrawal`)
      .send({ reason: 'Ja he trobat feina' })
      .expect(200);
    expect(withdrawn.body.state).toBe('withdrawn');
    const row = await stack.db.prisma.application.findUniqueOrThrow({
      where: { id },
      include: { events: { orderBy: { id: 'asc' } } },
    });
    expect(row.state).toBe('withdrawn');
    expect(row.closedAt).not.toBeNull();
    expect(row.events.map((e) => e.type)).toContain('withdrawn');
    expect(await stack.db.prisma.applicationDeadline.count({ where: { applicationId: id } })).toBe(0);

    const again = await stack.api.post(`/applications/${id}/withdrawal`).send({}).expect(409);
    expect(again.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(again.body).toMatchObject({ status: 409, rejection: 'InvalidTransition' });
  });

  it('answers 400 naming every bad field, and starts nothing', async () => {
    const before = await stack.db.prisma.application.count();
    const res = await stack.api
      .post('/applications')
      .send({
        municipalityCode: '99999',
        benefitCode: 'LOTTERY',
        applicant: { firstName: '', lastName: 'Puig', documentNumber: '12345678A', email: 'not-an-email' },
      })
      .expect(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    const fields = (res.body.errors as { field: string }[]).map((e) => e.field).sort();
    expect(fields).toEqual([
      'body.applicant.documentNumber',
      'body.applicant.email',
      'body.applicant.firstName',
      'body.benefitCode',
      'body.municipalityCode',
    ]);
    expect(await stack.db.prisma.application.count()).toBe(before);
    expect(
      await stack.db.prisma.applicationNumberCounter.count({ where: { municipalityCode: '99999' } }),
    ).toBe(0);
  });

  it('answers 400 for malformed JSON and unknown fields, 413 for a huge body, 404 for unknown cases', async () => {
    const malformed = await stack.api
      .post('/applications')
      .set('content-type', 'application/json')
      .send('{"municipalityCode": ')
      .expect(400);
    expect(malformed.body.errors[0].field).toBe('body');

    const extra = await stack.api
      .post('/applications')
      .send({ ...intakeRequest(), isAdmin: true })
      .expect(400);
    expect(extra.body.errors[0].field).toBe('body');

    await stack.api
      .post('/applications')
      .send({ ...intakeRequest(), padding: 'x'.repeat(200_000) })
      .expect(413);

    const badId = await stack.api.get('/applications/not-a-number').expect(400);
    expect(badId.body.errors[0].field).toBe('params.id');
    await stack.api.get('/applications/08305-2020-999999').expect(404);
    await stack.api.post('/applications/08305-2020-999999/withdrawal').send({}).expect(404);
    await stack.api.get('/nowhere').expect(404);
  });

  it('reports readiness of Temporal and PostgreSQL', async () => {
    const ready = await stack.api.get('/ready').expect(200);
    expect(ready.body).toEqual({ status: 'ok', checks: { temporal: { ok: true }, database: { ok: true } } });
    await stack.api.get('/health').expect(200, { status: 'ok' });
  });

  it('serves an OpenAPI 3.1 document listing its endpoints', async () => {
    const { body } = await stack.api.get('/openapi.json').expect(200);
    expect(body.openapi).toBe('3.1.0');
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining([
        '/applications',
        '/applications/{id}',
        '/applications/{id}/withdrawal',
        '/applications/{id}/assessment',
        '/applications/{id}/history',
        '/audit',
        '/me',
        '/calendar/deadline',
        '/catalogue/{municipality}',
        '/health',
        '/ready',
      ]),
    );
    await stack.api.get('/docs').expect(200).expect('content-type', /html/);
  });
});
