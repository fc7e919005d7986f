/**
 * What a filing or an action says is checked at the edge, with the field named, and a refusal leaves nothing
 * behind (issue #28, findings 1 to 4). A control character in what a person types is refused. Before domain/text.ts a NUL in a name was accepted (201),
 * then failed the case's projection in PostgreSQL (22021) on every retry: the case stayed `submitted` with no
 * row, hidden from every list, and the household's claim locked the person out of the benefit. A NUL in an
 * action's free text wedged a running case the same way (22P05).
 */
import { officeDateOf, plusDays, plusMonths } from '../../domain/dates';
import { dniFor } from '../../domain/identity';
import { intakeRequest } from '../helpers/fixtures';
import { eventually, startStack } from '../helpers/stack';
import type { Stack } from '../helpers/stack';

describe('input checked against the case and the office', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('refuses a filing with a NUL in the applicant’s name (400, the field named), claiming nothing', async () => {
    const document = dniFor(31_000_001);
    const filing = intakeRequest({
      applicant: { firstName: 'Pe\u0000re', lastName: 'Puig', documentNumber: document, language: 'ca' },
    });
    const res = await stack.api.post('/applications').send(filing).expect(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['body.applicant.firstName']);
    expect(await stack.db.prisma.householdClaim.count({ where: { document } })).toBe(0);
    // The person can file as soon as the name is typed right.
    const ok = intakeRequest({
      applicant: { firstName: 'Pere', lastName: 'Puig', documentNumber: document, language: 'ca' },
    });
    const filed = await stack.api.post('/applications').send(ok).expect(201);
    const id = filed.body.applicationId as string;
    await eventually(
      async () => (await stack.db.prisma.application.findUnique({ where: { id } }))?.state,
      (s) => ['registered', 'assessment', 'awaiting_documents'].includes(s ?? ''),
    );
  });

  it('refuses a control character in a household member’s name and in the account holder', async () => {
    const member = await stack.api
      .post('/applications')
      .send(
        intakeRequest({
          household: [{ firstName: 'Ma\u0085ria', birthDate: '2015-03-01', relationship: 'child' }],
        }),
      )
      .expect(400);
    expect(member.body.errors.map((e: { field: string }) => e.field)).toEqual(['body.household.0.firstName']);
    const holder = await stack.api
      .post('/applications')
      .send(intakeRequest({ bankAccount: { iban: 'ES9121000418450200051332', holder: 'Pere\u0000Puig' } }))
      .expect(400);
    expect(holder.body.errors.map((e: { field: string }) => e.field)).toEqual(['body.bankAccount.holder']);
  });

  it('refuses a NUL in an escalation’s reason at once (400), and the case goes on', async () => {
    const filed = await stack.api.post('/applications').send(intakeRequest()).expect(201);
    const id = filed.body.applicationId as string;
    const res = await stack.api
      .post(`/applications/${id}/escalation`)
      .send({ reason: 'Sense subministraments\u0000' })
      .expect(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['body.reason']);
    // A reason of several lines is taken.
    await stack.api
      .post(`/applications/${id}/escalation`)
      .send({ reason: 'Sense subministraments.\nTrucar dilluns / Llamar el lunes' })
      .expect(200);
    const events = await stack.db.prisma.applicationEvent.findMany({
      where: { applicationId: id, type: 'escalated' },
    });
    expect(events).toHaveLength(1);
  });

  const fieldsOf = (res: { body: { errors?: { field: string }[] } }) =>
    (res.body.errors ?? []).map((e) => e.field);
  const today = officeDateOf(new Date());

  it('refuses dates that cannot be right on the day of filing: births over 120 years ago, residence ahead', async () => {
    const born1850 = await stack.api
      .post('/applications')
      .send(intakeRequest({ declared: { birthDate: '1850-05-01' } }))
      .expect(400);
    expect(fieldsOf(born1850)).toEqual(['body.declared.birthDate']);
    const ahead = await stack.api
      .post('/applications')
      .send(
        intakeRequest({ declared: { birthDate: '1985-05-01', residenceSince: plusMonths(today, 12 * 5) } }),
      )
      .expect(400);
    expect(fieldsOf(ahead)).toEqual(['body.declared.residenceSince']);
    const beforeBirth = await stack.api
      .post('/applications')
      .send(intakeRequest({ declared: { birthDate: '1985-05-01', residenceSince: '1980-01-01' } }))
      .expect(400);
    expect(fieldsOf(beforeBirth)).toEqual(['body.declared.residenceSince']);
    const member = await stack.api
      .post('/applications')
      .send(
        intakeRequest({ household: [{ firstName: 'Avi', birthDate: '1890-01-01', relationship: 'parent' }] }),
      )
      .expect(400);
    expect(fieldsOf(member)).toEqual(['body.household.0.birthDate']);
  });

  it('refuses facts corrected in an assessment or reported as a change that cannot be right', async () => {
    const filed = await stack.api.post('/applications').send(intakeRequest()).expect(201);
    const id = filed.body.applicationId as string;
    const change = await stack.api
      .post(`/applications/${id}/change-of-circumstances`)
      .send({ description: 'Nou padró', facts: { residenceSince: plusMonths(today, 1) } })
      .expect(400);
    expect(fieldsOf(change)).toEqual(['body.facts.residenceSince']);
    const assessment = await stack.api
      .post(`/applications/${id}/assessment`)
      .send({ recommendation: 'grant', report: 'Informe', facts: { birthDate: '1850-01-01' } })
      .expect(400);
    expect(fieldsOf(assessment)).toEqual(['body.facts.birthDate']);
    // A notification cannot take effect after today (art. 43); before its deposit the case refuses it
    // (test/workflows/application.test.ts).
    for (const on of [plusDays(today, 1), plusMonths(today, 6)]) {
      const ahead = await stack.api
        .post(`/applications/${id}/notification`)
        .send({ outcome: 'accepted', on })
        .expect(400);
      expect(fieldsOf(ahead)).toEqual(['body.on']);
    }
  });

  it('refuses documents that are not of the benefit’s checklist and an assignee who is no staff member', async () => {
    const documents = await stack.api
      .post('/applications')
      .send(intakeRequest({ attachedDocuments: ['IDENTITY', 'NOT_A_DOCUMENT'] }))
      .expect(400);
    expect(fieldsOf(documents)).toEqual(['body.attachedDocuments.1']);
    const nobody = await stack.api
      .post('/applications')
      .send(intakeRequest({ assignee: 'mallory' }))
      .expect(400);
    expect(fieldsOf(nobody)).toEqual(['body.assignee']);
    // Nothing of the refused filings is left: no case, no claim, no number taken.
    const colleague = await stack.as('social_worker', ['08305']);
    const ok = await stack.api
      .post('/applications')
      .send(intakeRequest({ assignee: colleague.id, attachedDocuments: ['IDENTITY'] }))
      .expect(201);
    const row = await eventually(
      () => stack.db.prisma.application.findUnique({ where: { id: ok.body.applicationId as string } }),
      (r) => r !== null,
    );
    expect(row?.assignee).toBe(colleague.id);
  });
});
