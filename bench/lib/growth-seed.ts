/**
 * Cases in bulk for the growth benchmark (and for looking at query plans by hand): the proportions of an
 * office's states, benefits, municipalities, assignees, deadlines, tasks and timeline.
 */
import type { PrismaClient } from '../../adapters/db/prisma';

const MUNICIPALITIES = ['08305', '08112', '08096', '08169', '08200', '08187', '08022'];
const BENEFITS = ['URGENCY_FOOD', 'BASIC_SUPPLIES', 'RENT', 'SCHOOL_MEALS', 'INCOME_COMPLEMENT'];
const STAFF = 70; // ten per office

/**
 * Cases `from`..`to`: four in ten closed, the rest spread over the lifecycle's states as an office's are
 * (many waiting on documents or being paid), each open case with its deadlines and, when staff owe it
 * something, its task; three steps each on the timeline.
 */
export async function seedCases(prisma: PrismaClient, from: number, to: number): Promise<void> {
  const states = `(ARRAY['closed','closed','closed','closed','awaiting_documents','awaiting_documents','assessment','proposed','notifying','paying','paying','awaiting_justification','appeal','repayment','registered','renewal_review'])`;
  await prisma.$executeRawUnsafe(`
    INSERT INTO application (id, municipality_code, benefit_code, state, applicant_name, applicant_document,
      submitted_at, effective_filing_date, catalogue_version, registered_at, closed_at, updated_at, assignee,
      next_deadline, blocked_on)
    SELECT m || '-2026-' || lpad(g::text, 6, '0'), m, b, s, 'Persona ' || g, '00000000T',
      now() - (g % 300) * interval '1 day', current_date - (g % 300), '2026-01',
      now() - (g % 300) * interval '1 day',
      CASE WHEN s = 'closed' THEN now() - (g % 30) * interval '1 day' END,
      now() - (g % 20) * interval '1 day',
      'staff-' || (g % ${STAFF}),
      CASE WHEN s <> 'closed' THEN current_date + (g % 60) - 10 END,
      CASE WHEN g % 97 = 0 AND s <> 'closed' THEN ARRAY['SVDPIDESTADWS'] ELSE ARRAY[]::text[] END
    FROM generate_series(${from}, ${to}) g,
      LATERAL (SELECT (ARRAY[${MUNICIPALITIES.map((m) => `'${m}'`).join(',')}])[1 + g % ${MUNICIPALITIES.length}] AS m,
                      (ARRAY[${BENEFITS.map((b) => `'${b}'`).join(',')}])[1 + (g / 7) % ${BENEFITS.length}] AS b,
                      ${states}[1 + (g * 7919) % 16] AS s) x`);
  const range = `substring(id from 12)::int BETWEEN ${from} AND ${to}`;
  await prisma.$executeRawUnsafe(`
    INSERT INTO application_deadline (application_id, municipality_code, kind, due_date, legal_basis, provisional)
    SELECT id, municipality_code, 'max_time_to_resolve', next_deadline + 20, ARRAY['Llei 39/2015, art. 21'], false
      FROM application WHERE closed_at IS NULL AND ${range}
    UNION ALL
    SELECT id, municipality_code, 'document_request', next_deadline, ARRAY['Llei 39/2015, art. 68.1'], false
      FROM application WHERE state = 'awaiting_documents' AND ${range}`);
  await prisma.$executeRawUnsafe(`
    INSERT INTO application_task (application_id, kind, assignee, created_on, sla_date, overdue)
    SELECT id, CASE state WHEN 'assessment' THEN 'assessment_report' ELSE 'resolution' END, assignee,
      next_deadline - 10, next_deadline - 3, next_deadline - 3 < current_date
      FROM application WHERE state IN ('assessment', 'proposed') AND ${range}`);
  await prisma.$executeRawUnsafe(`
    INSERT INTO application_event (application_id, event_key, type, from_state, to_state, occurred_at)
    SELECT id, 'registered', 'registered', 'submitted', 'registered', registered_at FROM application WHERE ${range}
    UNION ALL
    SELECT id, 'moved', 'moved', 'registered', state, updated_at FROM application WHERE ${range}
    UNION ALL
    SELECT id, 'reminder', 'reminder_sent', NULL, NULL, updated_at FROM application WHERE ${range}`);
  await prisma.$executeRawUnsafe('ANALYZE');
}
