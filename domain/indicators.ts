/**
 * The office's indicators: how fast and how well it serves people. Each indicator is documented once here
 * (definition, formula, source fields) and computed by `computeIndicators` from the facts of each case as the
 * PostgreSQL projection holds them, so the API, the page, the CSV export and the Diputació's export can never
 * disagree. Pure: the facts are loaded by services/indicators.ts.
 *
 * A period is a range of office dates (Europe/Madrid), both ends included. Counts are of steps taken in the
 * period; times are of the cases whose step (resolution, notification, first payment) fell in the period.
 */
import type { WaitingParty } from './application';
import { WAITING_ON } from './application';
import type { BusinessCalendar } from './calendar';
import { officeDateOf, plusDays } from './dates';
import type { IsoDate } from './dates';

export const INDICATOR_GROUPS = ['volume', 'speed', 'paperwork', 'money', 'workload'] as const;
export type IndicatorGroup = (typeof INDICATOR_GROUPS)[number];

export type IndicatorUnit = 'count' | 'business_days' | 'days' | 'share' | 'euros' | 'per_application';

export interface IndicatorDefinition {
  id: string;
  group: IndicatorGroup;
  unit: IndicatorUnit;
  label: { ca: string; es: string };
  /** What it measures, in English for the people who maintain it. */
  definition: string;
  formula: string;
  /** Tables and fields of the projection it is computed from. */
  source: string;
  /**
   * The count of cases it is computed over: a value over fewer cases than the suppression threshold is
   * withheld in the aggregated export. Counts are their own base.
   */
  base?: string | undefined;
  /** Sums that add up over benefits and municipalities (counts and amounts), for secondary suppression. */
  additive: boolean;
}

const EVENT = 'application_event (type, to_state, occurred_at, detail)';

export const INDICATORS = [
  // ---- volume
  {
    id: 'received',
    group: 'volume',
    unit: 'count',
    label: { ca: 'Sol·licituds rebudes', es: 'Solicitudes recibidas' },
    definition: 'Applications registered in the period.',
    formula: 'count of cases with registered_at in the period',
    source: 'application.registered_at',
    additive: true,
  },
  {
    id: 'resolved',
    group: 'volume',
    unit: 'count',
    label: { ca: 'Resolucions', es: 'Resoluciones' },
    definition: 'First-instance resolutions issued in the period, whatever their outcome.',
    formula: "count of 'resolved' steps in the period (granted + refused + withdrawn_remedy_expired)",
    source: EVENT,
    additive: true,
  },
  {
    id: 'granted',
    group: 'volume',
    unit: 'count',
    label: { ca: 'Concedides', es: 'Concedidas' },
    definition: 'Resolutions granting the aid.',
    formula: "count of 'resolved' steps in the period with outcome granted",
    source: `${EVENT}; outcome in detail.outcome`,
    additive: true,
  },
  {
    id: 'refused',
    group: 'volume',
    unit: 'count',
    label: { ca: 'Denegades', es: 'Denegadas' },
    definition: 'Resolutions refusing the aid.',
    formula: "count of 'resolved' steps in the period with outcome refused",
    source: `${EVENT}; outcome in detail.outcome`,
    additive: true,
  },
  {
    id: 'withdrawn_remedy_expired',
    group: 'volume',
    unit: 'count',
    label: {
      ca: 'Desistides per no esmenar',
      es: 'Desistidas por no subsanar',
    },
    definition: 'Resolutions declaring withdrawal because a request to remedy was not answered (art. 68.1).',
    formula: "count of 'resolved' steps in the period with outcome withdrawal",
    source: `${EVENT}; outcome in detail.outcome`,
    additive: true,
  },
  {
    id: 'withdrawn_by_applicant',
    group: 'volume',
    unit: 'count',
    label: { ca: 'Desistides per la persona', es: 'Desistidas por la persona' },
    definition: 'Applications the applicant withdrew or renounced (art. 94).',
    formula: "count of 'withdrawn' steps in the period",
    source: EVENT,
    additive: true,
  },
  {
    id: 'cancelled',
    group: 'volume',
    unit: 'count',
    label: { ca: 'Anul·lades per l’oficina', es: 'Anuladas por la oficina' },
    definition: 'Cases closed by the office with a reason before a resolution.',
    formula: "count of 'cancelled' steps in the period",
    source: EVENT,
    additive: true,
  },
  {
    id: 'lapsed',
    group: 'volume',
    unit: 'count',
    label: { ca: 'Procediments caducats', es: 'Procedimientos caducados' },
    definition:
      'Procedures that lapsed: repayment procedures not ended within 12 months (art. 25.1.b Llei 39/2015, ' +
      'art. 42.4 Llei 38/2003).',
    formula: "count of 'repayment_lapsed' steps in the period",
    source: EVENT,
    additive: true,
  },
  {
    id: 'appealed',
    group: 'volume',
    unit: 'count',
    label: { ca: 'Recursos presentats', es: 'Recursos presentados' },
    definition: 'Cases in which an appeal (recurs de reposició) was filed in the period.',
    formula: "count of cases with an 'appeal_filed' step in the period",
    source: EVENT,
    additive: true,
  },
  {
    id: 'appeals_upheld',
    group: 'volume',
    unit: 'count',
    label: { ca: 'Recursos estimats', es: 'Recursos estimados' },
    definition: 'Appeals decided in favour of the person.',
    formula: "count of 'appeal_upheld' steps in the period",
    source: EVENT,
    additive: true,
  },
  {
    id: 'appeals_dismissed',
    group: 'volume',
    unit: 'count',
    label: { ca: 'Recursos desestimats', es: 'Recursos desestimados' },
    definition: 'Appeals dismissed by an express decision.',
    formula: "count of 'appeal_dismissed' steps in the period",
    source: EVENT,
    additive: true,
  },
  {
    id: 'appeals_dismissed_by_silence',
    group: 'volume',
    unit: 'count',
    label: { ca: 'Recursos desestimats per silenci', es: 'Recursos desestimados por silencio' },
    definition: 'Appeals not decided within their month (art. 124.2), dismissed by silence.',
    formula: "count of 'appeal_dismissed_by_silence' steps in the period",
    source: EVENT,
    additive: true,
  },
  {
    id: 'renewed',
    group: 'volume',
    unit: 'count',
    label: { ca: 'Renovacions', es: 'Renovaciones' },
    definition: 'Aid periods renewed.',
    formula: "count of 'renewed' steps in the period",
    source: EVENT,
    additive: true,
  },
  // ---- speed
  {
    id: 'resolution_business_days_p50',
    group: 'speed',
    unit: 'business_days',
    label: { ca: 'Dies fins a resoldre (mediana)', es: 'Días hasta resolver (mediana)' },
    definition:
      'Median business days from registration to the first resolution, of cases resolved in the period.',
    formula:
      'median of business days after the registration date up to and including the resolution date, ' +
      'in the calendar of the case’s municipality (percentiles interpolated linearly)',
    source: `application.registered_at; ${EVENT} of type 'resolved'`,
    base: 'resolved',
    additive: false,
  },
  {
    id: 'resolution_business_days_p90',
    group: 'speed',
    unit: 'business_days',
    label: { ca: 'Dies fins a resoldre (P90)', es: 'Días hasta resolver (P90)' },
    definition: '90th percentile of the same business days.',
    formula: '90th percentile (linear interpolation) of the values of resolution_business_days_p50',
    source: `application.registered_at; ${EVENT} of type 'resolved'`,
    base: 'resolved',
    additive: false,
  },
  {
    id: 'notified',
    group: 'speed',
    unit: 'count',
    label: { ca: 'Notificacions fetes', es: 'Notificaciones practicadas' },
    definition:
      'Cases whose resolution notification took effect in the period (opened, rejected, or deemed rejected).',
    formula:
      "count of cases with their first 'notification_accepted', 'notification_rejected' or " +
      "'notification_deemed_rejected' step in the period",
    source: EVENT,
    additive: true,
  },
  {
    id: 'notification_business_days_p50',
    group: 'speed',
    unit: 'business_days',
    label: { ca: 'Dies fins a notificar (mediana)', es: 'Días hasta notificar (mediana)' },
    definition: 'Median business days from registration to the notification taking effect.',
    formula: 'median of business days from the registration date to the notification step date',
    source: `application.registered_at; ${EVENT}`,
    base: 'notified',
    additive: false,
  },
  {
    id: 'notification_business_days_p90',
    group: 'speed',
    unit: 'business_days',
    label: { ca: 'Dies fins a notificar (P90)', es: 'Días hasta notificar (P90)' },
    definition: '90th percentile of the same business days.',
    formula: '90th percentile of the values of notification_business_days_p50',
    source: `application.registered_at; ${EVENT}`,
    base: 'notified',
    additive: false,
  },
  {
    id: 'first_paid',
    group: 'speed',
    unit: 'count',
    label: { ca: 'Primers pagaments', es: 'Primeros pagos' },
    definition: 'Cases whose first payment was ordered in the period.',
    formula: 'count of cases whose earliest payment order falls in the period',
    source:
      "payment_order (key, amount); application_event of type 'payment_ordered' (occurred_at, detail.key)",
    additive: true,
  },
  {
    id: 'first_payment_business_days_p50',
    group: 'speed',
    unit: 'business_days',
    label: { ca: 'Dies fins al primer pagament (mediana)', es: 'Días hasta el primer pago (mediana)' },
    definition: 'Median business days from registration to the first payment order.',
    formula: 'median of business days from the registration date to the first payment order date',
    source: "application.registered_at; application_event of type 'payment_ordered'",
    base: 'first_paid',
    additive: false,
  },
  {
    id: 'first_payment_business_days_p90',
    group: 'speed',
    unit: 'business_days',
    label: { ca: 'Dies fins al primer pagament (P90)', es: 'Días hasta el primer pago (P90)' },
    definition: '90th percentile of the same business days.',
    formula: '90th percentile of the values of first_payment_business_days_p50',
    source: "application.registered_at; application_event of type 'payment_ordered'",
    base: 'first_paid',
    additive: false,
  },
  {
    id: 'resolved_within_max_time_share',
    group: 'speed',
    unit: 'share',
    label: { ca: 'Resoltes dins del termini legal', es: 'Resueltas dentro del plazo legal' },
    definition:
      'Share of the resolutions of the period issued before the maximum time to resolve ran out (the ' +
      'workflow counts it with its pauses, art. 21-22, and records silence when it runs out).',
    formula: "resolved cases without a 'silence' step before their resolution / resolved",
    source: `${EVENT} of types 'resolved' and 'silence'`,
    base: 'resolved',
    additive: false,
  },
  {
    id: 'waiting_citizen_days',
    group: 'speed',
    unit: 'days',
    label: { ca: 'Dies esperant la persona', es: 'Días esperando a la persona' },
    definition:
      'Mean calendar days a case resolved in the period spent, between registration and resolution, in ' +
      'states that wait on the person (request to remedy).',
    formula: 'sum over resolved cases of the time in citizen-waiting states / resolved, in days',
    source: `${EVENT} (to_state, occurred_at); states mapped by domain/application.ts WAITING_ON`,
    base: 'resolved',
    additive: false,
  },
  {
    id: 'waiting_staff_days',
    group: 'speed',
    unit: 'days',
    label: { ca: 'Dies esperant el personal', es: 'Días esperando al personal' },
    definition: 'The same, in states that wait on staff (assessment, proposal).',
    formula: 'sum over resolved cases of the time in staff-waiting states / resolved, in days',
    source: `${EVENT} (to_state, occurred_at); WAITING_ON`,
    base: 'resolved',
    additive: false,
  },
  {
    id: 'waiting_administration_days',
    group: 'speed',
    unit: 'days',
    label: { ca: 'Dies esperant altres administracions', es: 'Días esperando a otras administraciones' },
    definition: 'The same, in states that wait on other administrations (registry consultations).',
    formula: 'sum over resolved cases of the time in administration-waiting states / resolved, in days',
    source: `${EVENT} (to_state, occurred_at); WAITING_ON`,
    base: 'resolved',
    additive: false,
  },
  // ---- paperwork avoided
  {
    id: 'data_from_administrations_share',
    group: 'paperwork',
    unit: 'share',
    label: {
      ca: 'Dades obtingudes d’altres administracions',
      es: 'Datos obtenidos de otras administraciones',
    },
    definition:
      'Of the items the office needed beyond what was handed in at filing, the share it obtained from ' +
      'other administrations instead of asking the person, for applications received in the period.',
    formula:
      'registry services obtained / (registry services obtained + documents asked for in requests to remedy)',
    source:
      "registry_consultation (status = 'obtained', one per case and service); application_event 'document_request' (documents)",
    base: 'received',
    additive: false,
  },
  {
    id: 'remedy_requests_per_application',
    group: 'paperwork',
    unit: 'per_application',
    label: { ca: 'Requeriments d’esmena per sol·licitud', es: 'Requerimientos de subsanación por solicitud' },
    definition: 'Requests to remedy sent per application received in the period.',
    formula: "count of 'document_request' steps of the applications received / received",
    source: EVENT,
    base: 'received',
    additive: false,
  },
  {
    id: 'registry_consultations',
    group: 'paperwork',
    unit: 'count',
    label: { ca: 'Consultes a registres', es: 'Consultas a registros' },
    definition: 'Consultations of other administrations’ registries started in the period.',
    formula: 'count of registry_consultation rows with requested_at in the period',
    source: 'registry_consultation.requested_at',
    additive: true,
  },
  {
    id: 'registry_availability',
    group: 'paperwork',
    unit: 'share',
    label: { ca: 'Disponibilitat dels registres', es: 'Disponibilidad de los registros' },
    definition: 'Share of calls to registries that got an answer (any answer other than an outage or error).',
    formula: '1 − Σ failures / Σ attempts, over the consultations started in the period',
    source: 'registry_consultation (attempts, failures, requested_at)',
    base: 'registry_consultations',
    additive: false,
  },
  // ---- money
  {
    id: 'amount_granted',
    group: 'money',
    unit: 'euros',
    label: { ca: 'Import concedit', es: 'Importe concedido' },
    definition: 'Total granted by the resolutions of the period (amount per payment × number of payments).',
    formula: "Σ detail.amount × detail.instalments of 'resolved' steps with outcome granted",
    source: `${EVENT}; for cases resolved before the figures were recorded, the 'payments_scheduled' step`,
    base: 'granted',
    additive: true,
  },
  {
    id: 'amount_paid',
    group: 'money',
    unit: 'euros',
    label: { ca: 'Import ordenat per pagar', es: 'Importe ordenado para pagar' },
    definition: 'Total of the payment orders sent to the treasury in the period.',
    formula: "Σ payment_order.amount of the orders whose 'payment_ordered' step falls in the period",
    source: "payment_order (key, amount); application_event 'payment_ordered' (detail.key, occurred_at)",
    base: 'paid_cases',
    additive: true,
  },
  {
    id: 'paid_cases',
    group: 'money',
    unit: 'count',
    label: { ca: 'Expedients amb pagaments', es: 'Expedientes con pagos' },
    definition: 'Cases with at least one payment order in the period.',
    formula: 'count of cases with a payment order in the period',
    source: "application_event 'payment_ordered'",
    additive: true,
  },
  {
    id: 'repayments_opened',
    group: 'money',
    unit: 'count',
    label: { ca: 'Reintegraments oberts', es: 'Reintegros abiertos' },
    definition: 'Repayment procedures opened in the period (Llei 38/2003 art. 37).',
    formula: "count of 'repayment_opened' steps in the period",
    source: EVENT,
    additive: true,
  },
  {
    id: 'repayment_amount_opened',
    group: 'money',
    unit: 'euros',
    label: { ca: 'Import a reintegrar', es: 'Importe a reintegrar' },
    definition: 'Amount claimed by the repayment procedures opened in the period.',
    formula: "Σ amounts of the 'repayment_opened' steps in the period",
    source: EVENT,
    base: 'repayments_opened',
    additive: true,
  },
  {
    id: 'repayments_recovered',
    group: 'money',
    unit: 'count',
    label: { ca: 'Reintegraments recuperats', es: 'Reintegros recuperados' },
    definition: 'Repayment procedures fully recovered in the period.',
    formula: "count of 'repayment_recovered' steps in the period",
    source: EVENT,
    additive: true,
  },
  {
    id: 'repayment_amount_recovered',
    group: 'money',
    unit: 'euros',
    label: { ca: 'Import reintegrat', es: 'Importe reintegrado' },
    definition: 'Amounts received as repayments in the period, fully or partly.',
    formula: "Σ amounts of the 'repayment_received' steps in the period",
    source: EVENT,
    base: 'repayments_recovered',
    additive: true,
  },
  // ---- workload
  {
    id: 'open_cases',
    group: 'workload',
    unit: 'count',
    label: { ca: 'Expedients oberts al final', es: 'Expedientes abiertos al final' },
    definition: 'Cases registered and not closed at the end of the period’s last day.',
    formula: 'count of cases with registered_at ≤ end and (closed_at null or > end)',
    source: 'application (registered_at, closed_at)',
    additive: true,
  },
  {
    id: 'open_tasks',
    group: 'workload',
    unit: 'count',
    label: { ca: 'Tasques obertes al final', es: 'Tareas abiertas al final' },
    definition: 'Human tasks open at the end of the period’s last day.',
    formula: 'count of task_record with created_on ≤ end and (closed_at null or > end)',
    source: 'task_record (created_on, closed_at)',
    additive: true,
  },
  {
    id: 'tasks_due',
    group: 'workload',
    unit: 'count',
    label: { ca: 'Tasques amb venciment', es: 'Tareas con vencimiento' },
    definition: 'Human tasks whose service level date falls in the period.',
    formula: 'count of task_record with sla_date in the period',
    source: 'task_record.sla_date',
    additive: true,
  },
  {
    id: 'tasks_past_sla',
    group: 'workload',
    unit: 'count',
    label: { ca: 'Tasques fora de termini', es: 'Tareas fuera de plazo' },
    definition: 'Of those, the tasks not done by the end of their service level date.',
    formula: 'count of task_record with sla_date in the period and (closed_at null or closed after sla_date)',
    source: 'task_record (sla_date, closed_at)',
    additive: true,
  },
  {
    id: 'tasks_past_sla_share',
    group: 'workload',
    unit: 'share',
    label: { ca: 'Part de tasques fora de termini', es: 'Parte de tareas fuera de plazo' },
    definition: 'Share of the tasks due in the period that were late.',
    formula: 'tasks_past_sla / tasks_due',
    source: 'task_record (sla_date, closed_at)',
    base: 'tasks_due',
    additive: false,
  },
] as const satisfies readonly IndicatorDefinition[];

export type IndicatorId = (typeof INDICATORS)[number]['id'];
export type IndicatorValues = Record<IndicatorId, number | null>;

export const INDICATOR_IDS: IndicatorId[] = INDICATORS.map((i) => i.id);

// ---- the facts of a case --------------------------------------------------------------------------------

export interface CaseStep {
  type: string;
  /** ISO instant. */
  at: string;
  toState?: string | null | undefined;
  note?: string | null | undefined;
  detail?: Record<string, unknown> | null | undefined;
}

export interface CaseFacts {
  id: string;
  municipalityCode: string;
  benefitCode: string;
  registeredAt: string | null;
  closedAt: string | null;
  /** The current assignee; earlier ones are read from the 'reassigned' steps. */
  assignee: string | null;
  /** In the order they happened. */
  steps: CaseStep[];
  /** One per registry service and period. */
  consultations: {
    service: string;
    status: string;
    attempts: number;
    failures: number;
    requestedAt: string;
  }[];
  /** Payment orders with the instant of their 'payment_ordered' step. */
  payments: { amount: number; orderedAt: string }[];
  tasks: {
    kind: string;
    assignee: string | null;
    createdOn: IsoDate;
    slaDate: IsoDate;
    closedAt: string | null;
  }[];
}

export interface Period {
  from: IsoDate;
  to: IsoDate;
}

export interface IndicatorContext {
  period: Period;
  /** The business calendar of a municipality (its local holidays and Catalonia's). */
  calendarFor(municipalityCode: string): BusinessCalendar;
}

/** An instant (ISO 8601) or an office date, within the period. */
const inPeriod = (at: string, p: Period): boolean => {
  const d = at.length === 10 ? at : officeDateOf(at);
  return d >= p.from && d <= p.to;
};

/** Business days after `from` up to and including `to` (0 on the same day). */
export function businessDaysBetween(calendar: BusinessCalendar, from: IsoDate, to: IsoDate): number {
  let n = 0;
  for (let d = plusDays(from, 1); d <= to; d = plusDays(d, 1)) if (calendar.isBusinessDay(d)) n++;
  return n;
}

/** Percentile with linear interpolation between closest ranks (Excel PERCENTILE.INC, R type 7). */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (sorted.length - 1) * p;
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  const low = sorted[lo] as number;
  const high = sorted[hi] as number;
  return low + (high - low) * (rank - lo);
}

const round = (v: number | null, digits: number): number | null =>
  v === null || !Number.isFinite(v) ? null : Math.round(v * 10 ** digits) / 10 ** digits;
const ratio = (num: number, den: number): number | null => (den === 0 ? null : num / den);

const NOTIFICATION_STEPS = new Set([
  'notification_accepted',
  'notification_rejected',
  'notification_deemed_rejected',
]);

/** The amount in a note such as '120.5 €' or '3 × 300 €' (steps recorded before figures were in detail). */
function euros(note: string | null | undefined): number {
  const m = /([\d.]+) €/.exec(note ?? '');
  return m ? Number(m[1]) : 0;
}

function outcomeOf(step: CaseStep): string | undefined {
  const fromDetail = step.detail?.outcome;
  return typeof fromDetail === 'string' ? fromDetail : (step.note ?? undefined);
}

/** Amount granted by a case's resolution: its detail, or the payments it scheduled. */
function grantedAmount(facts: CaseFacts, resolved: CaseStep): number {
  const { amount, instalments } = resolved.detail ?? {};
  if (typeof amount === 'number') return amount * (typeof instalments === 'number' ? instalments : 1);
  const scheduled = facts.steps.find((s) => s.type === 'payments_scheduled');
  const m = /^(\d+) × ([\d.]+) €/.exec(scheduled?.note ?? '');
  return m ? Number(m[1]) * Number(m[2]) : 0;
}

/** Documents asked for in a request to remedy: its detail, or the codes listed in its note. */
function documentsRequested(step: CaseStep): number {
  const docs = step.detail?.documents;
  if (Array.isArray(docs)) return docs.length;
  return (step.note ?? '').split(',').filter((c) => c.trim() !== '').length;
}

/** Time (ms) spent waiting on each party between registration and `until`, from the state changes. */
function waitingTimes(facts: CaseFacts, until: string): Record<WaitingParty, number> {
  const out: Record<WaitingParty, number> = { citizen: 0, staff: 0, administration: 0 };
  if (!facts.registeredAt) return out;
  let state = 'registered';
  let since = Date.parse(facts.registeredAt);
  const end = Date.parse(until);
  for (const step of facts.steps) {
    const at = Date.parse(step.at);
    if (!step.toState || at <= since) continue;
    if (at >= end) break;
    const party = WAITING_ON[state];
    if (party) out[party] += at - since;
    state = step.toState;
    since = at;
  }
  const party = WAITING_ON[state];
  if (party && end > since) out[party] += end - since;
  return out;
}

const DAY_MS = 86_400_000;

/** Every indicator for a set of cases in a period. */
export function computeIndicators(cases: readonly CaseFacts[], ctx: IndicatorContext): IndicatorValues {
  const { period } = ctx;
  const count = (pred: (s: CaseStep) => boolean): number =>
    cases.reduce((n, c) => n + c.steps.filter((s) => inPeriod(s.at, period) && pred(s)).length, 0);

  const received = cases.filter((c) => c.registeredAt && inPeriod(c.registeredAt, period));
  const resolutions = cases.flatMap((c) => {
    const step = c.steps.find((s) => s.type === 'resolved');
    return step && inPeriod(step.at, period) ? [{ facts: c, step, outcome: outcomeOf(step) }] : [];
  });
  const daysFromRegistration = (c: CaseFacts, at: string): number | null =>
    c.registeredAt
      ? businessDaysBetween(
          ctx.calendarFor(c.municipalityCode),
          officeDateOf(c.registeredAt),
          officeDateOf(at),
        )
      : null;
  const present = (v: number | null): v is number => v !== null;

  const resolutionDays = resolutions.map((r) => daysFromRegistration(r.facts, r.step.at)).filter(present);
  const notifications = cases.flatMap((c) => {
    const step = c.steps.find((s) => NOTIFICATION_STEPS.has(s.type));
    return step && inPeriod(step.at, period) ? [daysFromRegistration(c, step.at)] : [];
  });
  const firstPayments = cases.flatMap((c) => {
    const first = [...c.payments].sort((a, b) => a.orderedAt.localeCompare(b.orderedAt))[0];
    return first && inPeriod(first.orderedAt, period) ? [daysFromRegistration(c, first.orderedAt)] : [];
  });
  const withinMaxTime = resolutions.filter(
    (r) => !r.facts.steps.some((s) => s.type === 'silence' && s.at <= r.step.at),
  ).length;
  const waiting = { citizen: 0, staff: 0, administration: 0 };
  for (const r of resolutions) {
    const t = waitingTimes(r.facts, r.step.at);
    waiting.citizen += t.citizen;
    waiting.staff += t.staff;
    waiting.administration += t.administration;
  }

  // Paperwork: over the applications received in the period, whenever their consultations and requests happened.
  let obtained = 0;
  let asked = 0;
  let remedyRequests = 0;
  for (const c of received) {
    obtained += new Set(c.consultations.filter((k) => k.status === 'obtained').map((k) => k.service)).size;
    for (const s of c.steps.filter((x) => x.type === 'document_request')) {
      remedyRequests++;
      asked += documentsRequested(s);
    }
  }
  const consultations = cases.flatMap((c) => c.consultations.filter((k) => inPeriod(k.requestedAt, period)));
  const attempts = consultations.reduce((n, k) => n + k.attempts, 0);
  const failures = consultations.reduce((n, k) => n + k.failures, 0);

  const paidInPeriod = cases.map((c) => c.payments.filter((p) => inPeriod(p.orderedAt, period)));
  const stepsOf = (type: string) =>
    cases.flatMap((c) => c.steps.filter((s) => s.type === type && inPeriod(s.at, period)));

  const end = period.to;
  const openAtEnd = (opened: IsoDate, closedAt: string | null): boolean =>
    opened <= end && (closedAt === null || officeDateOf(closedAt) > end);
  const tasks = cases.flatMap((c) => c.tasks);
  const due = tasks.filter((t) => inPeriod(t.slaDate, period));
  const late = due.filter((t) => t.closedAt === null || officeDateOf(t.closedAt) > t.slaDate);
  const granted = resolutions.filter((r) => r.outcome === 'granted');

  return {
    received: received.length,
    resolved: resolutions.length,
    granted: granted.length,
    refused: resolutions.filter((r) => r.outcome === 'refused').length,
    withdrawn_remedy_expired: resolutions.filter((r) => r.outcome === 'withdrawal').length,
    withdrawn_by_applicant: count((s) => s.type === 'withdrawn'),
    cancelled: count((s) => s.type === 'cancelled'),
    lapsed: count((s) => s.type === 'repayment_lapsed'),
    // A refused case's appeal is recorded twice (the filing and the state change): count cases.
    appealed: cases.filter((c) => c.steps.some((s) => s.type === 'appeal_filed' && inPeriod(s.at, period)))
      .length,
    appeals_upheld: count((s) => s.type === 'appeal_upheld'),
    appeals_dismissed: count((s) => s.type === 'appeal_dismissed'),
    appeals_dismissed_by_silence: count((s) => s.type === 'appeal_dismissed_by_silence'),
    renewed: count((s) => s.type === 'renewed'),
    resolution_business_days_p50: round(percentile(resolutionDays, 0.5), 1),
    resolution_business_days_p90: round(percentile(resolutionDays, 0.9), 1),
    notified: notifications.length,
    notification_business_days_p50: round(percentile(notifications.filter(present), 0.5), 1),
    notification_business_days_p90: round(percentile(notifications.filter(present), 0.9), 1),
    first_paid: firstPayments.length,
    first_payment_business_days_p50: round(percentile(firstPayments.filter(present), 0.5), 1),
    first_payment_business_days_p90: round(percentile(firstPayments.filter(present), 0.9), 1),
    resolved_within_max_time_share: round(ratio(withinMaxTime, resolutions.length), 4),
    waiting_citizen_days: round(ratio(waiting.citizen / DAY_MS, resolutions.length), 1),
    waiting_staff_days: round(ratio(waiting.staff / DAY_MS, resolutions.length), 1),
    waiting_administration_days: round(ratio(waiting.administration / DAY_MS, resolutions.length), 1),
    data_from_administrations_share: round(ratio(obtained, obtained + asked), 4),
    remedy_requests_per_application: round(ratio(remedyRequests, received.length), 2),
    registry_consultations: consultations.length,
    registry_availability: round(attempts === 0 ? null : 1 - failures / attempts, 4),
    amount_granted: round(
      granted.reduce((sum, r) => sum + grantedAmount(r.facts, r.step), 0),
      2,
    ),
    amount_paid: round(
      paidInPeriod.flat().reduce((sum, p) => sum + p.amount, 0),
      2,
    ),
    paid_cases: paidInPeriod.filter((p) => p.length > 0).length,
    repayments_opened: stepsOf('repayment_opened').length,
    repayment_amount_opened: round(
      stepsOf('repayment_opened').reduce((sum, s) => sum + euros(s.note), 0),
      2,
    ),
    repayments_recovered: stepsOf('repayment_recovered').length,
    repayment_amount_recovered: round(
      stepsOf('repayment_received').reduce((sum, s) => sum + euros(s.note), 0),
      2,
    ),
    open_cases: cases.filter((c) => c.registeredAt && openAtEnd(officeDateOf(c.registeredAt), c.closedAt))
      .length,
    open_tasks: tasks.filter((t) => openAtEnd(t.createdOn, t.closedAt)).length,
    tasks_due: due.length,
    tasks_past_sla: late.length,
    tasks_past_sla_share: round(ratio(late.length, due.length), 4),
  };
}

// ---- breakdowns ------------------------------------------------------------------------------------------

/** Registry availability per service, over the consultations started in the period. */
export function registryAvailability(
  cases: readonly CaseFacts[],
  period: Period,
): {
  service: string;
  consultations: number;
  attempts: number;
  failures: number;
  availability: number | null;
}[] {
  const by = new Map<string, { consultations: number; attempts: number; failures: number }>();
  for (const k of cases.flatMap((c) => c.consultations)) {
    if (!inPeriod(k.requestedAt, period)) continue;
    const row = by.get(k.service) ?? { consultations: 0, attempts: 0, failures: 0 };
    row.consultations++;
    row.attempts += k.attempts;
    row.failures += k.failures;
    by.set(k.service, row);
  }
  return [...by.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([service, r]) => ({
      service,
      ...r,
      availability: round(r.attempts === 0 ? null : 1 - r.failures / r.attempts, 4),
    }));
}

/** Who a case was assigned to at the end of a day, from its 'reassigned' steps. */
export function assigneeOn(facts: CaseFacts, date: IsoDate): string | null {
  const moves = facts.steps
    .filter((s) => s.type === 'reassigned')
    .map((s) => {
      const d = s.detail ?? {};
      if ('to' in d) return { at: s.at, from: (d.from as string | null) ?? null, to: d.to as string };
      // Steps recorded before the detail: 'from → to: reason'.
      const m = /^(.*?) → (.*?)(?:: .*)?$/.exec(s.note ?? '');
      return { at: s.at, from: m?.[1] === '(nobody)' ? null : (m?.[1] ?? null), to: m?.[2] ?? '' };
    });
  let who = moves[0] ? moves[0].from : facts.assignee;
  for (const m of moves) if (officeDateOf(m.at) <= date) who = m.to;
  return who;
}

export interface WorkloadWeek {
  /** The last day of the week (Sunday), or the period's end. */
  weekEnding: IsoDate;
  openCases: number;
  openTasks: number;
  openCasesByRole: Record<string, number>;
}

/** Open cases and tasks at the end of each week of the period, in total and per role of their assignee. */
export function workloadOverTime(
  cases: readonly CaseFacts[],
  period: Period,
  roleOf: (staffId: string) => string | undefined,
): WorkloadWeek[] {
  const weeks: IsoDate[] = [];
  for (let d = period.from; d <= period.to; d = plusDays(d, 1)) {
    if (new Date(`${d}T00:00:00Z`).getUTCDay() === 0 || d === period.to) weeks.push(d);
  }
  return weeks.map((end) => {
    const open = cases.filter(
      (c) =>
        c.registeredAt &&
        officeDateOf(c.registeredAt) <= end &&
        (c.closedAt === null || officeDateOf(c.closedAt) > end),
    );
    const byRole: Record<string, number> = {};
    for (const c of open) {
      const who = assigneeOn(c, end);
      const role = (who && roleOf(who)) ?? 'unassigned';
      byRole[role] = (byRole[role] ?? 0) + 1;
    }
    const openTasks = cases
      .flatMap((c) => c.tasks)
      .filter((t) => t.createdOn <= end && (t.closedAt === null || officeDateOf(t.closedAt) > end)).length;
    return { weekEnding: end, openCases: open.length, openTasks, openCasesByRole: byRole };
  });
}

export interface PersonWorkload {
  staffId: string;
  role: string | null;
  openCases: number;
  openTasks: number;
  tasksPastSla: number;
}

/** Per person at the end of the period: open cases, open tasks, and tasks due in the period done late. */
export function workloadPerPerson(
  cases: readonly CaseFacts[],
  period: Period,
  roleOf: (staffId: string) => string | undefined,
): PersonWorkload[] {
  const by = new Map<string, PersonWorkload>();
  const row = (id: string): PersonWorkload => {
    let r = by.get(id);
    if (!r) {
      r = { staffId: id, role: roleOf(id) ?? null, openCases: 0, openTasks: 0, tasksPastSla: 0 };
      by.set(id, r);
    }
    return r;
  };
  const end = period.to;
  for (const c of cases) {
    if (
      c.registeredAt &&
      officeDateOf(c.registeredAt) <= end &&
      (c.closedAt === null || officeDateOf(c.closedAt) > end)
    ) {
      const who = assigneeOn(c, end);
      if (who) row(who).openCases++;
    }
    for (const t of c.tasks) {
      if (!t.assignee) continue;
      if (t.createdOn <= end && (t.closedAt === null || officeDateOf(t.closedAt) > end))
        row(t.assignee).openTasks++;
      if (inPeriod(t.slaDate, period) && (t.closedAt === null || officeDateOf(t.closedAt) > t.slaDate))
        row(t.assignee).tasksPastSla++;
    }
  }
  return [...by.values()].sort((a, b) => a.staffId.localeCompare(b.staffId));
}

// ---- the aggregated export -------------------------------------------------------------------------------

export interface IndicatorRow {
  /** null: every municipality of the export. */
  municipality: string | null;
  /** null: every benefit. */
  benefit: string | null;
  values: IndicatorValues;
}

export interface SuppressedRow extends IndicatorRow {
  values: IndicatorValues;
  /** Indicators withheld in this row. */
  suppressed: IndicatorId[];
}

/**
 * Withholds what could re-identify a family in a small town: counts from 1 to threshold − 1 (primary), every
 * value computed over such a count (its base), and, so that no withheld cell can be recovered by subtraction,
 * enough further cells of every sum (benefits add up to their municipality, municipalities to the total, and
 * resolutions to their outcomes) that no sum has exactly one withheld term (secondary suppression).
 */
export function suppressSmallCounts(rows: readonly IndicatorRow[], threshold: number): SuppressedRow[] {
  const key = (m: string | null, b: string | null) => `${m ?? '*'}|${b ?? '*'}`;
  const byKey = new Map(rows.map((r) => [key(r.municipality, r.benefit), r]));
  const hidden = new Set<string>(); // `${row}|${indicator}`
  const cell = (rowKey: string, id: IndicatorId) => `${rowKey}|${id}`;
  const valueOf = (c: string): number => {
    const [m, b, id] = c.split('|') as [string, string, IndicatorId];
    return byKey.get(`${m}|${b}`)?.values[id] ?? 0;
  };

  for (const [rk, r] of byKey) {
    for (const def of INDICATORS) {
      const v = r.values[def.id];
      if (def.unit === 'count' && v !== null && v > 0 && v < threshold) hidden.add(cell(rk, def.id));
    }
  }

  // Sums whose terms must not leave exactly one withheld: each is [total, ...parts].
  const sums: string[][] = [];
  const municipalities = [...new Set(rows.map((r) => r.municipality))];
  const benefits = [...new Set(rows.map((r) => r.benefit))].filter((b): b is string => b !== null);
  for (const def of INDICATORS.filter((d) => d.additive)) {
    for (const m of municipalities) {
      const parts = benefits.filter((b) => byKey.has(key(m, b))).map((b) => cell(key(m, b), def.id));
      if (byKey.has(key(m, null)) && parts.length > 0) sums.push([cell(key(m, null), def.id), ...parts]);
    }
    const concrete = municipalities.filter((m): m is string => m !== null);
    for (const b of [null, ...benefits]) {
      const parts = concrete.filter((m) => byKey.has(key(m, b))).map((m) => cell(key(m, b), def.id));
      if (byKey.has(key(null, b)) && parts.length > 0) sums.push([cell(key(null, b), def.id), ...parts]);
    }
  }
  for (const rk of byKey.keys()) {
    sums.push(
      ['resolved', 'granted', 'refused', 'withdrawn_remedy_expired'].map((id) => cell(rk, id as IndicatorId)),
    );
  }

  for (let changed = true; changed;) {
    changed = false;
    // A value computed over a withheld or small base is withheld too.
    for (const [rk, r] of byKey) {
      for (const def of INDICATORS as readonly IndicatorDefinition[]) {
        if (!def.base || hidden.has(cell(rk, def.id as IndicatorId))) continue;
        const base = r.values[def.base as IndicatorId] ?? 0;
        if (hidden.has(cell(rk, def.base as IndicatorId)) || (base > 0 && base < threshold)) {
          hidden.add(cell(rk, def.id as IndicatorId));
          changed = true;
        }
      }
    }
    for (const sum of sums) {
      const withheld = sum.filter((c) => hidden.has(c));
      if (withheld.length !== 1) continue;
      // Withhold the smallest other non-zero term (zeros reveal nothing more than the sum already does).
      const candidates = sum
        .filter((c) => !hidden.has(c) && valueOf(c) !== 0)
        .sort((a, b) => valueOf(a) - valueOf(b));
      const next = candidates[0];
      if (next) {
        hidden.add(next);
        changed = true;
      }
    }
  }

  return rows.map((r) => {
    const rk = key(r.municipality, r.benefit);
    const suppressed = INDICATOR_IDS.filter((id) => hidden.has(cell(rk, id)));
    const values = { ...r.values };
    for (const id of suppressed) values[id] = null;
    return { ...r, values, suppressed };
  });
}
