/**
 * Retention of personal data (GDPR art. 5.1.e): what stays of a closed case once its retention period has
 * passed. Pure rules, used by the anonymisation activity (activities/retention.ts) and its tests.
 *
 * What stays is what the office's indicators count (domain/indicators.ts): municipality, benefit, dates,
 * states, outcomes, amounts, registry availability, tasks and who on the staff handled them. What goes is
 * everything that says who the person was or what their life is like: names, document numbers, birth dates,
 * household, incomes, bank account, contact addresses, registry answers, consents, professional notes, and
 * free text typed about the case.
 */

/** What an anonymised case shows in place of the applicant's name (staff lists show it). */
export const ANONYMISED_NAME = 'Dades anonimitzades / Datos anonimizados';
/** What an anonymised row holds in place of a document number or a contact address. */
export const ANONYMISED_VALUE = 'anonymised';

const DAY_MS = 86_400_000;

/** Cases closed before this instant are due for anonymisation. */
export function retentionCutoff(now: Date, retentionDays: number): Date {
  return new Date(now.getTime() - retentionDays * DAY_MS);
}

/** When a case closed at `closedAt` falls due. */
export function dueAt(closedAt: Date, retentionDays: number): Date {
  return new Date(closedAt.getTime() + retentionDays * DAY_MS);
}

/**
 * Steps whose note the workflow writes itself from figures, dates and codes (never from what a person typed),
 * and which the indicators read for steps recorded before their figures moved into `detail`: kept.
 * Every other note (a withdrawal's or cancellation's reason, an escalation, a change of circumstances, the
 * reasons of a resolution or an appeal) may carry what staff wrote about the person: dropped.
 */
const GENERATED_NOTES = new Set([
  'acknowledged',
  'max_time_alert',
  'silence',
  'registries_unavailable',
  'document_request',
  'documents_delivered',
  'document_deadline_extended',
  'proposed',
  'resolved',
  'withdrawal_proposed',
  'notification_deemed_rejected',
  'payments_scheduled',
  'payment_ordered',
  'payment_failed',
  'justification_due',
  'justification_missing',
  'repayment_opened',
  'repayment_received',
  'repayment_recovered',
  'repayment_lapsed',
  'appeal_dismissed_by_silence',
  'renewed',
  'period_started',
  'task_overdue',
  'closed',
]);

/** Figures of a step's detail the indicators, the timeline and the stuck rules read; any other key goes. */
const KEPT_DETAIL = new Set([
  'outcome',
  'amount',
  'instalments',
  'documents',
  'key',
  'from',
  'to',
  'recommendation',
  'length',
  'deadline',
  'dueDate',
  'audience',
  'channels',
  'recipients',
]);

/**
 * The detail of a step once its case is anonymised: the kept figures, and the note only when the workflow
 * generated it. A reassignment keeps who it went from and to (staff), without the reason typed with it.
 * Returns null when nothing is left.
 */
export function anonymisedStepDetail(type: string, detail: unknown): Record<string, unknown> | null {
  if (!detail || typeof detail !== 'object' || Array.isArray(detail)) return null;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(detail as Record<string, unknown>)) {
    if (KEPT_DETAIL.has(key)) out[key] = value;
  }
  const note = (detail as { note?: unknown }).note;
  if (typeof note === 'string') {
    if (GENERATED_NOTES.has(type)) out.note = note;
    else if (type === 'reassigned') {
      // 'from → to: reason' (steps recorded before the detail carried from and to).
      const moved = /^(.*?) → (.*?)(?:: .*)?$/s.exec(note);
      if (moved) out.note = `${moved[1]} → ${moved[2]}`;
    }
  }
  return Object.keys(out).length > 0 ? out : null;
}
