/**
 * One workflow per application (expedient), from submission to archive, possibly for years: registration
 * and acknowledgement, completeness (registries first, then a request to remedy), assessment, proposal and
 * resolution (four eyes), notification, appeal, payments, justification, repayment and renewal, with
 * withdrawal, change of circumstances and reassignment at any time. Legal deadlines are durable timers over
 * the office's business-day calendar; every state change is projected into PostgreSQL by activities.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  CancellationScope,
  condition,
  isCancellation,
  continueAsNew,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair, UpdateDefinition } from '@temporalio/common';
import type { Activities } from '../activities';
import type { RegistryConsultationAnswer, RegistryConsultationInput } from '../activities/registries';
import type { CaseViewInput, RecordEventInput, RecordTransitionInput } from '../activities/projection';
import type {
  ApplicationInput,
  ApplicationState,
  RegistryConsultationStatus,
  ApplicationStatus,
  DeadlineKind,
  DeclaredFacts,
  DocumentRequestStatus,
  HumanTask,
  PaymentRecord,
  StepRecord,
  TaskKind,
} from '../domain/application';
import { isClosed } from '../domain/application';
import { createBusinessCalendar } from '../domain/calendar';
import { officeDateOf, plusDays, plusMonths } from '../domain/dates';
import type { IsoDate } from '../domain/dates';
import {
  businessDaysBefore,
  computeDeadline,
  DeadlineRuleError,
  extendDeadline,
  pauseDeadline,
  resumeDeadline,
} from '../domain/deadlines';
import type { Deadline, PausedDeadline } from '../domain/deadlines';
import { documentChecklist } from '../domain/documents';
import type { ChecklistItem } from '../domain/documents';
import { evaluateEligibility, householdComposition } from '../domain/eligibility';
import type { EligibilityFacts, PreviousAid } from '../domain/eligibility';
import { REGISTRY_OUTCOMES, RejectionType } from '../domain/errors';
import { mergeFacts } from '../domain/registries';
import type { RegistryFacts } from '../domain/registries';
import { LEGAL_BASIS } from '../domain/legal-basis';
import type { LegalBasis } from '../domain/legal-basis';
import { LEGAL_PERIODS, SERVICE_LEVELS } from '../domain/lifecycle';
import { nextSendingInstant, planReminders, REMINDER_HOUR } from '../domain/reminders';
import type { PlannedReminder } from '../domain/reminders';
import { expiryOf, nowIso, nowMs, startOf, today, waitUntil } from './clock';
import {
  extendDocumentDeadlineUpdate,
  fileAppealUpdate,
  notificationOutcomeUpdate,
  proposeResolutionUpdate,
  reassignUpdate,
  recordRepaymentUpdate,
  reportChangeUpdate,
  resolveAppealUpdate,
  resolveUpdate,
  retryPaymentUpdate,
  statusQuery,
  submitAssessmentUpdate,
  submitDocumentsUpdate,
  submitJustificationUpdate,
  withdrawUpdate,
  retryNowUpdate,
  cancelUpdate,
  escalateUpdate,
} from './messages';
import { assigneeKey, benefitKey, municipalityKey, nextDeadlineKey, stateKey } from './search-attributes';

// Projection writes are short, idempotent statements: retried for as long as the database is away (no
// maximum attempts), so that an outage delays the projection but never loses a step.
const projection = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

// Other administrations answer slowly and go away for hours: a long timeout, patient backoff, and a bounded
// number of attempts, after which the workflow asks the citizen for the document instead.
const registries = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: {
    initialInterval: '10 seconds',
    backoffCoefficient: 2,
    maximumInterval: '10 minutes',
    maximumAttempts: 8,
  },
});

// One round of consultation of one registry service: the connector's HTTP timeout is 30 s, and a few quick
// attempts absorb a blip. Between rounds the workflow itself waits on durable timers (SERVICE_LEVELS
// .registryRetryMinutes), showing the case as blocked on that registry, until the office's fallback time
// sends the person a request for the documents instead.
const registryRound = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '5 seconds',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    maximumAttempts: 3,
  },
});

// A payment order is retried a few times, then escalated to staff rather than retried blindly; its
// idempotency key makes every retry, crash and replay safe.
const treasury = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '10 seconds',
    backoffCoefficient: 2,
    maximumInterval: '5 minutes',
    maximumAttempts: 5,
  },
});

// Notices to the citizen (acknowledgement, notification deposit) must eventually go out: retried without limit.
const notices = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

// Reminders are a courtesy around the procedure, never part of it: some attempts over an hour or so, then
// the failure stays recorded (notice_delivery) and the case goes on.
const reminderSender = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '30 seconds',
    backoffCoefficient: 2,
    maximumInterval: '10 minutes',
    maximumAttempts: 6,
  },
});

/** The article that sets each kind of deadline (the counting rules come from the computation). */
const DEADLINE_BASIS: Partial<Record<DeadlineKind, LegalBasis>> = {
  max_time_to_resolve: LEGAL_BASIS.maxTimeToResolve,
  document_request: LEGAL_BASIS.remedy,
  notification_acceptance: LEGAL_BASIS.notificationRejected,
  appeal_filing: LEGAL_BASIS.appeal,
  appeal_resolution: LEGAL_BASIS.appeal,
  justification: LEGAL_BASIS.justification,
  repayment: LEGAL_BASIS.repayment,
};

/** What a renewal carries into the next period's run (continue-as-new). */
export interface CarriedState {
  period: number;
  previousAid: PreviousAid[];
  /** The most recent steps, so the status keeps some history across periods; the projection keeps all. */
  history: StepRecord[];
  /** The renewal resolution the new period starts from. */
  renewal: { amount: number; instalments: number; resolvedOn: IsoDate; assignee?: string | undefined };
}

const CARRIED_HISTORY = 30;

/**
 * Cases started before the custom search attributes existed replay without upserts: their histories have
 * none (test/histories/before-search-attributes).
 */
const SEARCH_ATTRIBUTES_PATCH = 'search-attributes';

/**
 * Cases that consulted the registries through the first version's single `consultRegistries` call replay
 * it (test/histories/v1-*, v2-*); new ones consult each service through the PCI/SCSP connectors.
 */
const REGISTRY_CONNECTORS_PATCH = 'registry-connectors';

/**
 * Cases started before reminders existed replay without their timers (test/histories/v1-* to v3-*); new ones keep
 * a durable timer per planned reminder of each running deadline.
 */
const REMINDERS_PATCH = 'reminders';

/**
 * Cases started before this version project a change of state as two activities (the transition, then the
 * case view: test/histories/v1-* to v4-*); new ones write both in one activity, one round trip fewer.
 */
const ONE_STEP_PROJECTION_PATCH = 'one-step-projection';
/**
 * A registry's `since` is when it entered its current state (unavailable since the first failed round),
 * no longer the latest round: the coordinators' "blocked for more than 4 hours" compares with it.
 */
const REGISTRY_SINCE_PATCH = 'registry-since-state-change';
/**
 * An event that a change of state follows at once (the documents that complete a request, then the
 * assessment) is written with that change by its `recordStep`, instead of by an activity of its own that the
 * update waited for: one workflow task and one activity fewer per such action. Cases started before this
 * version replay the separate activity (test/histories/v1-* to v6-*).
 */
const EVENTS_WITH_STEP_PATCH = 'events-with-step';

const [REMINDER_HOURS, REMINDER_MINUTES] = REMINDER_HOUR.split(':').map(Number) as [number, number];

/** Raised inside the main flow when a handler closed the case (withdrawal, revocation): it stops there. */
class CaseClosed extends Error {}

function reject(type: RejectionType, message: string): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true });
}

export async function applicationWorkflow(
  input: ApplicationInput,
  carried?: CarriedState,
): Promise<ApplicationStatus> {
  const calendar = createBusinessCalendar(input.calendar, [input.municipalityCode]);
  const status: ApplicationStatus = {
    applicationId: input.applicationId,
    municipalityCode: input.municipalityCode,
    benefitCode: input.benefitCode,
    state: carried ? 'registered' : 'submitted',
    submittedAt: input.submittedAt,
    effectiveFilingDate: input.effectiveFilingDate,
    catalogueVersion: input.pinned.version,
    period: carried?.period ?? 1,
    assignee: carried?.renewal.assignee ?? input.assignee,
    deadlines: [],
    payments: [],
    history: carried
      ? [...carried.history]
      : [{ at: input.submittedAt, type: 'submitted', to: 'submitted', actor: input.submittedBy }],
  };
  let facts: DeclaredFacts = { ...input.declared };
  let registryFacts: RegistryFacts = {};
  const previousAid: PreviousAid[] = carried?.previousAid ?? [];
  let maxTime: Deadline | undefined;
  let maxTimePaused: PausedDeadline | undefined;
  let documentDeadline: Deadline | undefined;
  let report: { recommendation: 'grant' | 'refuse'; by: string } | undefined;
  let decision: 'approved' | 'rejected' | undefined;
  let appealDecided = false;
  let retryRequested = false;
  // Bumped by retryNowUpdate: registry consultations waiting for their next round go now.
  let retryNowRequests = 0;
  let revoked = false;
  let repaid = 0;
  let viewVersion = 0;
  let eventSeq = 0;
  // Keys for projected events and view snapshots: stable across activity retries and replays.
  const nextKey = (type: string): string => `${workflowInfo().runId}:${++eventSeq}:${type}`;
  const closed = (): boolean => isClosed(status.state);
  // Read through functions: handlers change these while the main flow awaits, which narrowing cannot see.
  const outcome = (): string | undefined => status.resolution?.outcome;
  const cancelled = (p: PaymentRecord): boolean => p.status === 'cancelled';

  // ---- projection --------------------------------------------------------------------------------------

  // What was last upserted, so that an unchanged attribute adds no command to the history.
  const indexed = new Map<string, string>();

  /** Keeps the search attributes (state, benefit, municipality, assignee, next deadline) current. */
  function indexCase(): void {
    if (!patched(SEARCH_ATTRIBUTES_PATCH)) return;
    // A paused deadline (the time to resolve during a request to remedy) is not running: it is not next.
    const running = status.deadlines.filter((d) => !d.pausedSince).map((d) => expiryOf(d.dueDate));
    const wanted: SearchAttributeUpdatePair[] = [
      { key: stateKey, value: status.state },
      { key: benefitKey, value: input.benefitCode },
      { key: municipalityKey, value: input.municipalityCode },
      { key: assigneeKey, value: status.assignee ?? null },
      { key: nextDeadlineKey, value: running.length > 0 ? new Date(Math.min(...running)) : null },
    ];
    const fingerprint = (p: SearchAttributeUpdatePair): string =>
      p.value instanceof Date ? p.value.toISOString() : JSON.stringify(p.value);
    const changed = wanted.filter((p) => (indexed.get(p.key.name) ?? 'null') !== fingerprint(p));
    if (changed.length === 0) return;
    for (const p of changed) indexed.set(p.key.name, fingerprint(p));
    upsertSearchAttributes(changed);
  }

  // ---- reminders ---------------------------------------------------------------------------------------

  /** Pending reminder timers by reminder key; a reminder whose deadline moved or ended is cancelled. */
  const reminderTimers = new Map<string, { reminder: PlannedReminder; scope: CancellationScope }>();
  let remindersOn: boolean | undefined;

  const reminderInstant = (r: PlannedReminder): number =>
    startOf(r.on) + (REMINDER_HOURS * 60 + REMINDER_MINUTES) * 60_000;

  /**
   * Brings the reminder timers in line with the running deadlines: what a moved, paused or cleared deadline
   * no longer calls for is cancelled, what a new date calls for is started. Called whenever the case view
   * is published, which every change of deadlines or state does.
   */
  function remindersEnabled(): boolean {
    remindersOn ??= patched(REMINDERS_PATCH);
    return remindersOn;
  }

  function syncReminders(): void {
    if (!remindersEnabled()) return;
    const wanted = closed()
      ? []
      : planReminders(calendar, input.applicationId, status.deadlines, input.pinned.benefit.reminders).filter(
          (r) => reminderInstant(r) > nowMs(),
        );
    const keys = new Set(wanted.map((r) => r.key));
    for (const [key, timer] of reminderTimers) {
      if (!keys.has(key)) {
        timer.scope.cancel();
        reminderTimers.delete(key);
      }
    }
    for (const reminder of wanted) {
      if (reminderTimers.has(reminder.key)) continue;
      const scope = new CancellationScope();
      reminderTimers.set(reminder.key, { reminder, scope });
      scope
        .run(async () => {
          await sleep(reminderInstant(reminder) - nowMs());
          reminderTimers.delete(reminder.key);
          listUpcomingReminders();
          // Once due, it goes out even if the deadline moves while it is being sent.
          await CancellationScope.nonCancellable(() => sendReminder(reminder));
        })
        .catch((err: unknown) => {
          // Cancelled (the deadline moved or ended), or the channels kept failing after their retries, which
          // the activity has recorded: a reminder never stops the procedure.
          if (!isCancellation(err) && !(err instanceof ActivityFailure)) throw err;
        });
    }
    listUpcomingReminders();
  }

  function listUpcomingReminders(): void {
    status.upcomingReminders = [...reminderTimers.values()]
      .map(({ reminder: r }) => ({
        deadline: r.deadline,
        audience: r.audience,
        on: r.on,
        dueDate: r.dueDate,
      }))
      .sort((a, b) => (a.on < b.on ? -1 : a.on > b.on ? 1 : 0));
  }

  async function sendReminder(r: PlannedReminder): Promise<void> {
    const deadline = status.deadlines.find((d) => d.kind === r.deadline);
    await reminderSender.sendReminder({
      key: r.key,
      applicationId: input.applicationId,
      municipalityCode: input.municipalityCode,
      benefitCode: input.benefitCode,
      deadline: r.deadline,
      dueDate: r.dueDate,
      audience: r.audience,
      businessDaysBefore: r.businessDaysBefore,
      language: input.applicant.language,
      legalBasis: (deadline?.legalBasis ?? []).map((b) => ({ law: b.law, article: b.article })),
      assignee: status.assignee,
      ...(r.audience === 'citizen'
        ? { citizen: { email: input.applicant.email, phone: input.applicant.phone } }
        : {}),
    });
  }

  /** The case view as it stands, with its next version; reminders and search attributes brought in line. */
  function caseView(): CaseViewInput {
    syncReminders();
    indexCase();
    return {
      applicationId: input.applicationId,
      version: `${String(status.period).padStart(4, '0')}:${String(++viewVersion).padStart(8, '0')}`,
      state: status.state,
      assignee: status.assignee ?? null,
      deadlines: status.deadlines,
      task: status.pendingTask ?? null,
      blockedOn: status.blockedOn ?? [],
      at: nowIso(),
    };
  }

  async function publishView(): Promise<void> {
    if (pendingEvents.length) await flushEvents();
    await projection.recordCaseView(caseView());
  }

  let oneStepProjection: boolean | undefined;
  let registrySinceOnChange: boolean | undefined;
  function oneStepProjectionOn(): boolean {
    oneStepProjection ??= patched(ONE_STEP_PROJECTION_PATCH);
    return oneStepProjection;
  }

  /** Events taken but not yet written: the next change of state writes them (see EVENTS_WITH_STEP_PATCH). */
  const pendingEvents: RecordEventInput[] = [];
  let eventsWithStep: boolean | undefined;
  function eventsWithStepOn(): boolean {
    // Only where a change of state is one activity that can carry them; asked where the commands differ.
    eventsWithStep ??= oneStepProjectionOn() && patched(EVENTS_WITH_STEP_PATCH);
    return eventsWithStep;
  }

  function takeEvent(type: string, actor?: string, note?: string, detail?: Record<string, unknown>) {
    const at = nowIso();
    status.history.push({ at, type, actor, note });
    return { applicationId: input.applicationId, eventKey: nextKey(type), type, actor, note, detail, at };
  }

  /**
   * Writes the events a change of state was to carry, should another write come first. Callers await it only
   * when there are some: an await of nothing would still yield, letting other coroutines issue their commands
   * first, and histories recorded without it would no longer replay.
   */
  async function flushEvents(): Promise<void> {
    for (const event of pendingEvents.splice(0)) await projection.recordEvent(event);
  }

  async function recordEvent(type: string, actor?: string, note?: string, detail?: Record<string, unknown>) {
    const event = takeEvent(type, actor, note, detail);
    if (pendingEvents.length) await flushEvents();
    await projection.recordEvent(event);
  }

  /** An event that a change of state follows at once: written with it, in its activity. */
  function deferEvent(type: string, actor?: string, note?: string): void {
    pendingEvents.push(takeEvent(type, actor, note));
  }

  async function transition(
    to: ApplicationState,
    type: string,
    actor?: string,
    note?: string,
    detail?: Record<string, unknown>,
  ): Promise<void> {
    const from = status.state;
    const at = nowIso();
    status.state = to;
    if (isClosed(to)) {
      status.closedAt = at;
      status.deadlines = [];
      status.pendingTask = undefined;
    }
    status.history.push({ at, type, from, to, actor, note });
    const step: RecordTransitionInput = {
      applicationId: input.applicationId,
      eventKey: nextKey(type),
      type,
      from,
      to,
      actor,
      note,
      detail,
      at,
    };
    if (oneStepProjectionOn()) {
      const events = pendingEvents.splice(0);
      await projection.recordStep({
        ...(events.length ? { events } : {}),
        transition: step,
        view: caseView(),
      });
    } else {
      await projection.recordTransition(step);
      await publishView();
    }
  }

  function setDeadline(
    kind: DeadlineKind,
    d: Deadline | { deadline: IsoDate; legalBasis: LegalBasis[]; provisional: boolean },
    pausedSince?: IsoDate,
  ) {
    // The article that sets this kind of deadline comes first, however often it is recomputed (paused,
    // resumed, extended), followed by the counting rules of the computation.
    const own = DEADLINE_BASIS[kind];
    const legalBasis = own ? [own, ...d.legalBasis.filter((b) => b !== own)] : d.legalBasis;
    status.deadlines = [
      ...status.deadlines.filter((x) => x.kind !== kind),
      { kind, dueDate: d.deadline, legalBasis, provisional: d.provisional, pausedSince },
    ].sort((a, b) => (a.dueDate < b.dueDate ? -1 : 1));
  }

  function clearDeadline(kind: DeadlineKind): void {
    status.deadlines = status.deadlines.filter((x) => x.kind !== kind);
  }

  function openTask(kind: TaskKind, slaBusinessDays: number): HumanTask {
    const sla = computeDeadline(calendar, { from: today(), amount: slaBusinessDays, unit: 'business_days' });
    status.pendingTask = {
      kind,
      assignee: status.assignee,
      createdOn: today(),
      slaDate: sla.deadline,
      overdue: false,
    };
    setDeadline('task_sla', sla);
    return status.pendingTask;
  }

  function closeTask(): void {
    status.pendingTask = undefined;
    clearDeadline('task_sla');
  }

  /** Waits for `done`, or the deadline; throws CaseClosed when a handler closed the case meanwhile. */
  async function waitFor(
    done: () => boolean,
    until: () => number | undefined = () => undefined,
  ): Promise<boolean> {
    const result = await waitUntil(() => done() || closed(), until);
    if (closed()) throw new CaseClosed();
    return result;
  }

  /** Waits for a task's outcome, marking it overdue (and saying so) when its service level passes. */
  async function waitForTask(done: () => boolean): Promise<void> {
    const task = status.pendingTask;
    if (task && !(await waitFor(done, () => expiryOf(task.slaDate)))) {
      task.overdue = true;
      await recordEvent('task_overdue', undefined, `${task.kind} past its service level of ${task.slaDate}`);
      await publishView();
      await waitFor(done);
    }
    closeTask();
  }

  // ---- validators' helpers -----------------------------------------------------------------------------

  function requireActor(actor: string | undefined): void {
    if (!actor || !actor.trim()) reject(RejectionType.InvalidInput, 'The action must name who takes it');
  }

  function requireState(action: string, ...states: ApplicationState[]): void {
    if (!states.includes(status.state)) {
      reject(
        RejectionType.InvalidTransition,
        `Cannot ${action}: application ${input.applicationId} is ${status.state}, not ${states.join(' or ')}`,
      );
    }
  }

  function requireOpen(action: string): void {
    if (closed())
      reject(
        RejectionType.InvalidTransition,
        `Cannot ${action}: application ${input.applicationId} is ${status.state}`,
      );
  }

  // ---- eligibility ---------------------------------------------------------------------------------------

  function eligibilityFacts(): EligibilityFacts {
    return {
      asOf: input.effectiveFilingDate,
      applicant: { birthDate: facts.birthDate },
      household: facts.household ?? [{ role: 'applicant', birthDate: facts.birthDate }],
      monthlyIncome: facts.monthlyIncome,
      savings: facts.savings,
      cost: facts.cost,
      residenceSince: facts.residenceSince,
      registeredInMunicipality: registryFacts.registeredInMunicipality,
      benefitsReceived: registryFacts.benefitsReceived,
      benefitsApplied: registryFacts.benefitsApplied,
      previousAid,
    };
  }
  function evaluate(): void {
    status.eligibility = evaluateEligibility(input.pinned, eligibilityFacts());
  }

  // ---- handlers (state is initialised above; handlers before any await) ----------------------------------

  /** An update with its validator, typed from its definition (the SDK's options leave validators untyped). */
  function setUpdate<Ret, Args extends [unknown, ...unknown[]]>(
    def: UpdateDefinition<Ret, Args>,
    handler: (...args: Args) => Promise<Ret>,
    validator: (...args: Args) => void,
  ): void {
    setHandler(def, handler, { validator });
  }

  setHandler(statusQuery, () => status);

  setUpdate(
    withdrawUpdate,
    async ({ actor, reason }) => {
      // A withdrawal filed while the entry is still being recorded waits for it.
      await condition(() => status.state !== 'submitted');
      if (closed()) return status;
      for (const p of status.payments)
        if (p.status === 'pending' || p.status === 'failed') p.status = 'cancelled';
      status.closingReason =
        status.resolution?.outcome === 'granted' ? 'renounced' : 'withdrawn by the applicant';
      await transition('withdrawn', 'withdrawn', actor, reason);
      return status;
    },
    ({ actor }) => {
      requireOpen('withdraw');
      requireActor(actor);
    },
  );

  setUpdate(
    retryNowUpdate,
    async ({ actor, reason }) => {
      retryNowRequests++;
      await recordEvent('retry_now', actor, reason);
      return status;
    },
    ({ actor }) => {
      requireOpen('retry now');
      requireActor(actor);
      if (!status.registries?.some((r) => r.state === 'unavailable' || r.state === 'awaiting_answer')) {
        reject(
          RejectionType.InvalidTransition,
          'Nothing is waiting to be retried: no registry is unavailable or awaited (a failed payment is retried with retryPayment)',
        );
      }
    },
  );

  setUpdate(
    escalateUpdate,
    async ({ actor, reason }) => {
      const at = nowIso();
      status.escalation = { by: actor, reason: reason.trim(), at };
      await recordEvent('escalated', actor, reason.trim());
      // Told by email; a courtesy that never holds the case.
      reminderSender
        .sendEscalation({
          key: `${input.applicationId}:${nextKey('escalation')}`,
          applicationId: input.applicationId,
          municipalityCode: input.municipalityCode,
          assignee: status.assignee,
          by: actor,
          reason: reason.trim(),
        })
        .catch(() => undefined);
      return status;
    },
    ({ actor, reason }) => {
      requireOpen('escalate');
      requireActor(actor);
      if (!reason?.trim()) reject(RejectionType.InvalidInput, 'Say what needs attention');
    },
  );

  setUpdate(
    cancelUpdate,
    async ({ actor, reason }) => {
      await condition(() => status.state !== 'submitted');
      if (closed()) return status;
      status.closingReason = `cancelled by the office: ${reason.trim()}`;
      await transition('closed', 'cancelled', actor, reason.trim());
      return status;
    },
    ({ actor, reason }) => {
      requireOpen('cancel');
      requireActor(actor);
      if (status.resolution || status.proposal?.outcome === 'withdrawal') {
        reject(
          RejectionType.InvalidTransition,
          'A resolved case is not cancelled: it is revoked (change of circumstances) or renounced (withdrawal)',
        );
      }
      if (!reason?.trim()) reject(RejectionType.InvalidInput, 'Say why the case is cancelled');
    },
  );

  setUpdate(
    submitDocumentsUpdate,
    async ({ actor, documents }) => {
      const request = status.documentRequest;
      if (!request) return status;
      for (const d of request.documents) if (documents.includes(d.code)) d.delivered = true;
      // Complete, the request ends: the main flow's next write is a change of state (to assessment; in a
      // renewal, its outcome; a late delivery reopens the assessment just below), which writes this event too.
      const complete = request.documents.every((d) => d.delivered);
      if (complete && eventsWithStepOn()) deferEvent('documents_delivered', actor, documents.join(', '));
      else await recordEvent('documents_delivered', actor, documents.join(', '));
      if (status.state === 'proposed' && complete) {
        // Art. 73.3: a step taken late still counts while the closing resolution is not notified.
        status.proposal = undefined;
        await transition('assessment', 'late_documents_accepted', actor);
      }
      return status;
    },
    ({ actor, documents }) => {
      requireActor(actor);
      const late = status.state === 'proposed' && status.proposal?.outcome === 'withdrawal';
      if (!late) requireState('deliver documents', 'awaiting_documents');
      const requested: DocumentRequestStatus['documents'] = status.documentRequest?.documents ?? [];
      const pending = requested.filter((d) => !d.delivered).map((d) => d.code);
      const unknown = documents.filter((d: string) => !pending.includes(d));
      if (documents.length === 0 || unknown.length > 0) {
        reject(
          RejectionType.InvalidInput,
          `Documents not pending in this request: ${unknown.join(', ') || '(none given)'}; pending: ${pending.join(', ')}`,
        );
      }
    },
  );

  setUpdate(
    extendDocumentDeadlineUpdate,
    async ({ actor, days }) => {
      if (!documentDeadline || !status.documentRequest) return status;
      documentDeadline = extendDeadline(calendar, documentDeadline, days, today());
      status.documentRequest.extendedBy = days;
      setDeadline('document_request', documentDeadline);
      await recordEvent(
        'document_deadline_extended',
        actor,
        `${days} business days, to ${documentDeadline.deadline}`,
      );
      await publishView();
      return status;
    },
    ({ actor, days }) => {
      requireActor(actor);
      requireState('extend the document deadline', 'awaiting_documents');
      if (status.documentRequest?.extendedBy)
        reject(RejectionType.InvalidTransition, 'The period was already extended once');
      if (!Number.isInteger(days) || days < 1 || days > LEGAL_PERIODS.remedyExtensionMaxDays) {
        reject(
          RejectionType.InvalidInput,
          `An extension is 1 to ${LEGAL_PERIODS.remedyExtensionMaxDays} business days (art. 68.2)`,
        );
      }
      if (documentDeadline) {
        try {
          extendDeadline(calendar, documentDeadline, days, today());
        } catch (err) {
          if (!(err instanceof DeadlineRuleError)) throw err;
          reject(
            err.code === 'EXTENSION_AFTER_EXPIRY' ? RejectionType.DeadlinePassed : RejectionType.InvalidInput,
            err.message,
          );
        }
      }
    },
  );

  setUpdate(
    submitAssessmentUpdate,
    async ({ actor, recommendation, report: text, facts: corrected }) => {
      if (corrected) facts = { ...facts, ...corrected };
      evaluate();
      report = { recommendation, by: actor };
      await recordEvent('assessment_report', actor, undefined, { recommendation, length: text.length });
      return status;
    },
    ({ actor, recommendation, report: text }) => {
      requireActor(actor);
      requireState('submit the assessment report', 'assessment');
      if (report) reject(RejectionType.InvalidTransition, 'The report for this assessment is already in');
      if (recommendation !== 'grant' && recommendation !== 'refuse')
        reject(RejectionType.InvalidInput, 'Recommend grant or refuse');
      if (!text?.trim()) reject(RejectionType.InvalidInput, 'The report is empty');
    },
  );

  setUpdate(
    proposeResolutionUpdate,
    async ({ actor, outcome, reasons }) => {
      const amount = outcome === 'granted' ? status.eligibility?.amount?.amount : undefined;
      status.proposal = { outcome, reasons, amount, proposedBy: actor };
      await transition(
        'proposed',
        'proposed',
        actor,
        `${outcome}${amount !== undefined ? ` (${amount} €)` : ''}`,
      );
      return status;
    },
    ({ actor, outcome, reasons }) => {
      requireActor(actor);
      requireState('propose a resolution', 'assessment');
      if (!report)
        reject(RejectionType.InvalidTransition, 'The assessment report must come before the proposal');
      if (outcome !== 'granted' && outcome !== 'refused')
        reject(RejectionType.InvalidInput, 'Propose granted or refused');
      if (!reasons?.trim()) reject(RejectionType.InvalidInput, 'A proposal states its reasons');
      if (outcome === 'granted' && status.eligibility?.outcome !== 'eligible') {
        reject(
          RejectionType.InvalidInput,
          `Cannot propose granting: eligibility is ${status.eligibility?.outcome ?? 'not evaluated'}`,
        );
      }
      if (outcome === 'granted' && status.eligibility?.amount === undefined) {
        reject(RejectionType.InvalidInput, 'Cannot propose granting: the amount cannot be computed yet');
      }
    },
  );

  setUpdate(
    resolveUpdate,
    async ({ actor, approve, notes }) => {
      const proposal = status.proposal;
      if (!proposal) return status;
      if (approve) {
        const schedule = input.pinned.benefit.payment.schedule;
        status.resolution = {
          outcome: proposal.outcome,
          reasons: proposal.reasons,
          amount: proposal.amount,
          instalments:
            proposal.outcome === 'granted'
              ? schedule.type === 'monthly'
                ? schedule.instalments
                : 1
              : undefined,
          proposedBy: proposal.proposedBy,
          resolvedBy: actor,
          resolvedOn: today(),
        };
        decision = 'approved';
      } else {
        decision = 'rejected';
      }
      await recordEvent(approve ? 'resolution_approved' : 'proposal_sent_back', actor, notes);
      return status;
    },
    ({ actor }) => {
      requireActor(actor);
      requireState('resolve', 'proposed');
      if (status.proposal?.proposedBy === actor) {
        reject(
          RejectionType.FourEyesViolation,
          `${actor} proposed this resolution and cannot also resolve it`,
        );
      }
    },
  );

  setUpdate(
    notificationOutcomeUpdate,
    async ({ outcome, on }) => {
      if (!status.notification) return status;
      status.notification.outcome = outcome;
      status.notification.effectiveOn = on.slice(0, 10);
      await recordEvent(`notification_${outcome}`, 'enotum');
      return status;
    },
    ({ outcome, on }) => {
      requireState('record the notification outcome', 'notifying');
      if (status.notification?.outcome)
        reject(RejectionType.InvalidTransition, 'The notification already has an outcome');
      if (outcome !== 'accepted' && outcome !== 'rejected')
        reject(RejectionType.InvalidInput, 'accepted or rejected');
      if (!/^\d{4}-\d{2}-\d{2}/.test(on ?? '')) reject(RejectionType.InvalidInput, 'on must be a date');
    },
  );

  setUpdate(
    fileAppealUpdate,
    async ({ actor, grounds }) => {
      status.appeal = { filedOn: today(), grounds };
      await recordEvent('appeal_filed', actor);
      return status;
    },
    ({ actor, grounds }) => {
      requireActor(actor);
      requireOpen('appeal');
      if (!status.resolution || !status.notification?.effectiveOn) {
        reject(RejectionType.InvalidTransition, 'Only a notified resolution can be appealed');
      }
      if (status.appeal) reject(RejectionType.InvalidTransition, 'An appeal was already filed');
      const window = status.deadlines.find((d) => d.kind === 'appeal_filing');
      if (!window || today() > window.dueDate)
        reject(RejectionType.DeadlinePassed, 'The month to appeal is over (art. 124.1)');
      if (!grounds?.trim()) reject(RejectionType.InvalidInput, 'An appeal states its grounds');
    },
  );

  setUpdate(
    resolveAppealUpdate,
    async ({ actor, upheld, reasons }) => {
      const appeal = status.appeal;
      if (!appeal || !status.resolution) return status;
      appeal.outcome = upheld ? 'upheld' : 'dismissed';
      if (upheld && status.resolution.outcome !== 'granted') {
        evaluate();
        const schedule = input.pinned.benefit.payment.schedule;
        status.resolution = {
          ...status.resolution,
          outcome: 'granted',
          reasons,
          amount: status.eligibility?.amount?.amount,
          instalments: schedule.type === 'monthly' ? schedule.instalments : 1,
          resolvedBy: actor,
          resolvedOn: today(),
          onAppeal: true,
        };
      }
      appealDecided = true;
      await recordEvent(upheld ? 'appeal_upheld' : 'appeal_dismissed', actor, reasons);
      return status;
    },
    ({ actor, upheld, reasons }) => {
      requireActor(actor);
      if (!status.appeal || status.appeal.outcome === 'upheld' || status.appeal.outcome === 'dismissed') {
        reject(RejectionType.InvalidTransition, 'There is no appeal waiting for a decision');
      }
      if (upheld && status.resolution?.outcome !== 'granted' && status.eligibility?.amount === undefined) {
        reject(
          RejectionType.InvalidInput,
          'Upholding the appeal needs an amount: complete the assessment facts first',
        );
      }
      if (!reasons?.trim()) reject(RejectionType.InvalidInput, 'A decision states its reasons');
    },
  );

  setUpdate(
    submitJustificationUpdate,
    async ({ actor, verdict, acceptedAmount }) => {
      if (!status.justification) return status;
      status.justification.verdict = verdict;
      status.justification.acceptedAmount = verdict === 'partial' ? acceptedAmount : undefined;
      await recordEvent(`justification_${verdict}`, actor);
      return status;
    },
    ({ actor, verdict, acceptedAmount }) => {
      requireActor(actor);
      requireState('review the justification', 'awaiting_justification');
      if (!['accepted', 'partial', 'rejected'].includes(verdict))
        reject(RejectionType.InvalidInput, 'accepted, partial or rejected');
      const paid = paidTotal();
      if (
        verdict === 'partial' &&
        (acceptedAmount === undefined || acceptedAmount <= 0 || acceptedAmount >= paid)
      ) {
        reject(
          RejectionType.InvalidInput,
          `A partial justification accepts more than 0 and less than the ${paid} € paid`,
        );
      }
    },
  );

  setUpdate(
    recordRepaymentUpdate,
    async ({ actor, amount }) => {
      repaid = Math.round((repaid + amount) * 100) / 100;
      if (status.repayment) status.repayment.recovered = repaid;
      await recordEvent('repayment_received', actor, `${amount} €`);
      return status;
    },
    ({ actor, amount }) => {
      requireActor(actor);
      requireState('record a repayment', 'repayment');
      const due = (status.repayment?.amount ?? 0) - repaid;
      if (!(amount > 0) || amount > due + 0.001)
        reject(RejectionType.InvalidInput, `A repayment is more than 0 and at most the ${due} € due`);
    },
  );

  setUpdate(
    retryPaymentUpdate,
    async ({ actor }) => {
      retryRequested = true;
      await recordEvent('payment_retry_requested', actor);
      return status;
    },
    ({ actor }) => {
      requireActor(actor);
      requireState('retry a payment', 'paying');
      if (!status.payments.some((p) => p.status === 'failed'))
        reject(RejectionType.InvalidTransition, 'No payment has failed');
    },
  );

  setUpdate(
    reportChangeUpdate,
    async ({ actor, description, facts: changed }) => {
      facts = { ...facts, ...changed };
      evaluate();
      await recordEvent('change_of_circumstances', actor, description);
      if (status.resolution?.outcome === 'granted' && status.state === 'paying') {
        if (status.eligibility?.outcome === 'not_eligible') {
          // The conditions are no longer met: the aid is revoked and no further payment is made.
          revoked = true;
          for (const p of status.payments)
            if (p.status === 'pending' || p.status === 'failed') p.status = 'cancelled';
          await recordEvent('revoked', actor, description);
        } else if (status.eligibility?.amount) {
          const amount = status.eligibility.amount.amount;
          status.resolution.amount = amount;
          for (const p of status.payments) if (p.status === 'pending') p.amount = amount;
        }
      }
      return status;
    },
    ({ actor, description }) => {
      requireActor(actor);
      requireOpen('report a change of circumstances');
      if (status.state === 'submitted')
        reject(RejectionType.InvalidTransition, 'The application is still being registered');
      if (!description?.trim()) reject(RejectionType.InvalidInput, 'Describe the change');
    },
  );

  setUpdate(
    reassignUpdate,
    async ({ actor, assignee, reason }) => {
      const from = status.assignee;
      status.assignee = assignee;
      if (status.pendingTask) status.pendingTask.assignee = assignee;
      await recordEvent(
        'reassigned',
        actor,
        `${from ?? '(nobody)'} → ${assignee}${reason ? `: ${reason}` : ''}`,
        { from: from ?? null, to: assignee },
      );
      await publishView();
      return status;
    },
    ({ actor, assignee }) => {
      requireActor(actor);
      requireOpen('reassign');
      if (!assignee?.trim()) reject(RejectionType.InvalidInput, 'Name the new assignee');
    },
  );

  // ---- phases --------------------------------------------------------------------------------------------

  async function register(): Promise<void> {
    const registeredAt = nowIso();
    await projection.recordApplication({ ...input, eventKey: nextKey('registered'), registeredAt });
    status.registeredAt = registeredAt;
    status.state = 'registered';
    status.history.push({ at: registeredAt, type: 'registered', from: 'submitted', to: 'registered' });
    // Art. 21: the maximum time to resolve counts from entry in the registry (the effective filing date).
    maxTime = computeDeadline(calendar, {
      from: input.effectiveFilingDate,
      amount: input.pinned.benefit.maxTimeToResolve.amount,
      unit: 'months',
    });
    setDeadline('max_time_to_resolve', maxTime);
    await notices.sendAcknowledgement({
      applicationId: input.applicationId,
      language: input.applicant.language,
      maxTimeToResolve: maxTime.deadline,
      silence: input.pinned.benefit.silence,
    });
    status.acknowledgedAt = nowIso();
    await recordEvent('acknowledged', undefined, `maximum time to resolve: ${maxTime.deadline}`);
    await publishView();
  }

  /** The maximum time to resolve: an alert before it runs out, and the effect of silence when it does. */
  async function watchMaxTimeToResolve(): Promise<void> {
    const done = (): boolean => status.resolution !== undefined || closed();
    const at = (day: (d: Deadline) => number) => () => (maxTimePaused || !maxTime ? undefined : day(maxTime));
    if (
      !(await waitUntil(
        done,
        at((d) => startOf(businessDaysBefore(calendar, d.deadline, SERVICE_LEVELS.maxTimeAlertDays))),
      ))
    ) {
      await recordEvent(
        'max_time_alert',
        undefined,
        `the maximum time to resolve ends on ${maxTime?.deadline}`,
      );
    }
    if (
      !(await waitUntil(
        done,
        at((d) => expiryOf(d.deadline)),
      ))
    ) {
      // Arts. 24-25: the effect of silence applies; the duty to resolve expressly remains.
      status.silence = { effect: input.pinned.benefit.silence, on: today() };
      await recordEvent(
        'silence',
        undefined,
        `maximum time to resolve reached: silence means ${input.pinned.benefit.silence}`,
      );
    }
  }

  /** Registries first (art. 28.2); what they cannot provide is requested from the person. True when complete. */
  /** The first version's single call for every registry (cases recorded before the connectors). */
  async function consultAllAtOnce(
    items: (ChecklistItem & { registry: string })[],
  ): Promise<{ obtained: string[]; facts: RegistryFacts; unavailable?: string }> {
    try {
      return await registries.consultRegistries({
        applicationId: input.applicationId,
        municipalityCode: input.municipalityCode,
        documentNumber: input.applicant.documentNumber,
        items,
      });
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      return {
        obtained: [],
        facts: {},
        unavailable: `${items.map((i) => i.code).join(', ')}: ${err.cause?.message ?? err.message}`,
      };
    }
  }

  /** Each registry service once, all at the same time; what each one provides counts as obtained. */
  async function consultEachService(
    items: (ChecklistItem & { registry: string })[],
    stage: 'filing' | 'renewal',
  ): Promise<{ obtained: string[]; facts: RegistryFacts; unavailable?: string }> {
    const services = new Map<string, { documents: string[]; consent: 'Si' | 'NoOpo' | 'Ley' }>();
    for (const item of items) {
      const entry = services.get(item.registry) ?? { documents: [], consent: item.consent ?? 'NoOpo' };
      entry.documents.push(item.code);
      if (item.consent === 'Si') entry.consent = 'Si';
      services.set(item.registry, entry);
    }
    status.registries = [];
    status.blockedOn = undefined;
    // A withdrawal stops the consultations: what is in flight or waiting to be retried is cancelled, so that
    // no consultation outlives the case.
    const scope = new CancellationScope();
    void condition(closed).then(() => scope.cancel());
    let results: ServiceResult[];
    try {
      results = await scope.run(() =>
        Promise.all(
          [...services].map(([service, { documents, consent }]) =>
            consultService(service, documents, consent, stage),
          ),
        ),
      );
    } catch (err) {
      if (closed()) throw new CaseClosed();
      throw err;
    }
    const unavailable = results.flatMap((r) => (r.unavailable ? [`${r.service}: ${r.unavailable}`] : []));
    return {
      obtained: results.flatMap((r) => (r.obtained ? r.documents : [])),
      facts: results.reduce<RegistryFacts>((f, r) => mergeFacts(f, r.facts), {}),
      ...(unavailable.length > 0 ? { unavailable: unavailable.join('; ') } : {}),
    };
  }

  /** Moves one consultation on; says whether the case became blocked or unblocked (worth a case view). */
  function trackRegistry(
    entry: RegistryConsultationStatus,
    state: RegistryConsultationStatus['state'],
    detail?: string,
  ): boolean {
    const wasBlocked = entry.state === 'unavailable';
    registrySinceOnChange ??= patched(REGISTRY_SINCE_PATCH);
    if (entry.state !== state || !registrySinceOnChange) entry.since = nowIso();
    entry.state = state;
    entry.detail = detail;
    const blocked = (status.registries ?? []).filter((r) => r.state === 'unavailable').map((r) => r.service);
    status.blockedOn = blocked.length > 0 ? blocked : undefined;
    return wasBlocked !== (state === 'unavailable');
  }

  interface ServiceResult {
    service: string;
    documents: string[];
    obtained: boolean;
    facts: RegistryFacts;
    /** Why it was given up on while unavailable (the fallback), for the case's timeline. */
    unavailable?: string;
  }

  /**
   * One service: asked; an asynchronous answer awaited on durable timers; asked again in rounds while it is
   * unavailable (the case shows as blocked on it), until it answers or the office's fallback time passes. A
   * business outcome (not found, no consent, invalid document) ends it at once: the person is asked instead.
   */
  async function consultService(
    service: string,
    documents: string[],
    consent: 'Si' | 'NoOpo' | 'Ley',
    stage: 'filing' | 'renewal',
  ): Promise<ServiceResult> {
    const entry: RegistryConsultationStatus = { service, state: 'consulting', since: nowIso(), documents };
    status.registries = [...(status.registries ?? []), entry];
    const fallbackHours = input.registryFallbackHours ?? SERVICE_LEVELS.registryFallbackHours;
    const giveUpAt = nowMs() + fallbackHours * 3_600_000;
    // Waits for the next round; a coordinator's "retry now" ends the wait early.
    const pause = async (ms: number): Promise<void> => {
      const until = nowMs() + ms;
      const asked = retryNowRequests;
      await waitFor(
        () => retryNowRequests !== asked,
        () => until,
      );
    };
    const giveUp = async (detail: string, unavailable: boolean): Promise<ServiceResult> => {
      if (trackRegistry(entry, 'not_obtained', detail) || unavailable) await publishView();
      return {
        service,
        documents,
        obtained: false,
        facts: {},
        ...(unavailable ? { unavailable: detail } : {}),
      };
    };
    for (let round = 0; ; round++) {
      let answer: RegistryConsultationAnswer;
      try {
        answer = await registryRound.consultRegistry({
          requestId: `${input.applicationId}:p${status.period}:${stage}:${service}`,
          applicationId: input.applicationId,
          period: status.period,
          service: service as RegistryConsultationInput['service'],
          municipalityCode: input.municipalityCode,
          procedure: `OGPS-${input.benefitCode}`,
          purpose: `Comprovació de requisits, expedient ${input.applicationId} / Comprobación de requisitos`,
          consent,
          requestedBy: status.assignee ?? input.submittedBy,
          holder: {
            documentType: input.applicant.documentType,
            documentNumber: input.applicant.documentNumber,
          },
          referenceDate: stage === 'filing' ? input.effectiveFilingDate : today(),
        });
      } catch (err) {
        if (!(err instanceof ActivityFailure) || isCancellation(err)) throw err;
        const cause = err.cause;
        const message = cause?.message ?? err.message;
        if (cause instanceof ApplicationFailure && cause.type && REGISTRY_OUTCOMES.includes(cause.type)) {
          return giveUp(`${cause.type}: ${message}`, false);
        }
        if (nowMs() >= giveUpAt) return giveUp(`unavailable for ${fallbackHours} h: ${message}`, true);
        if (trackRegistry(entry, 'unavailable', message)) await publishView();
        const minutes = SERVICE_LEVELS.registryRetryMinutes;
        const wait = (minutes[Math.min(round, minutes.length - 1)] ?? 60) * 60_000;
        await pause(Math.min(wait, giveUpAt - nowMs()));
        continue;
      }
      if (answer.status === 'pending') {
        if (nowMs() + answer.retryAfterSeconds * 1000 > giveUpAt) {
          return giveUp(`no answer within ${fallbackHours} h`, true);
        }
        const detail = `answer expected in ${answer.retryAfterSeconds} s`;
        if (trackRegistry(entry, 'awaiting_answer', detail)) await publishView();
        await pause(answer.retryAfterSeconds * 1000);
        continue;
      }
      const state = answer.proves ? 'obtained' : 'not_obtained';
      if (trackRegistry(entry, state, answer.reused ? 'already obtained' : undefined)) await publishView();
      return { service, documents, obtained: answer.proves, facts: answer.facts };
    }
  }

  async function completeness(stage: 'filing' | 'renewal' = 'filing'): Promise<boolean> {
    const household = householdComposition({ ...eligibilityFacts(), asOf: input.effectiveFilingDate });
    const checklist = documentChecklist(
      input.pinned.benefit,
      {
        children: household.children > 0,
        disability: false,
        dependency: false,
        largeFamily: false,
        singleParent: false,
      },
      input.consent,
    );
    const items = checklist.filter(
      (c): c is ChecklistItem & { registry: string } => c.registry !== undefined,
    );
    const consulted = patched(REGISTRY_CONNECTORS_PATCH)
      ? await consultEachService(items, stage)
      : await consultAllAtOnce(items);
    // Withdrawn while the registries were consulted: nothing more is asked of the applicant.
    if (closed()) throw new CaseClosed();
    if (consulted.unavailable) await recordEvent('registries_unavailable', undefined, consulted.unavailable);
    registryFacts = consulted.facts;
    const attached = input.attachedDocuments ?? [];
    const missing = checklist.filter(
      (c) => !consulted.obtained.includes(c.code) && !attached.includes(c.code),
    );
    if (missing.length === 0) return true;
    return requestDocuments(missing);
  }

  /** A request to remedy (art. 68): 10 business days, the time to resolve paused meanwhile (art. 22.1.a). */
  async function requestDocuments(missing: ChecklistItem[]): Promise<boolean> {
    const requestedOn = today();
    status.documentRequest = {
      requestedOn,
      documents: missing.map((m) => ({ code: m.code, name: m.name, delivered: false })),
    };
    documentDeadline = computeDeadline(calendar, {
      from: requestedOn,
      amount: LEGAL_PERIODS.remedyBusinessDays,
      unit: 'business_days',
    });
    setDeadline('document_request', documentDeadline);
    if (maxTime && !maxTimePaused) {
      maxTimePaused = pauseDeadline(maxTime, requestedOn);
      setDeadline('max_time_to_resolve', maxTime, requestedOn);
    }
    await notices.depositNotification({
      applicationId: input.applicationId,
      kind: 'document_request',
      key: nextKey('document_request_notice'),
      language: input.applicant.language,
      dueDate: documentDeadline.deadline,
    });
    await transition(
      'awaiting_documents',
      'document_request',
      undefined,
      missing.map((m) => m.code).join(', '),
    );
    const allDelivered = (): boolean => status.documentRequest?.documents.every((d) => d.delivered) ?? false;
    const complete = await waitFor(allDelivered, () =>
      documentDeadline ? expiryOf(documentDeadline.deadline) : undefined,
    );
    clearDeadline('document_request');
    if (maxTimePaused) {
      maxTime = resumeDeadline(calendar, maxTimePaused, today());
      maxTimePaused = undefined;
      setDeadline('max_time_to_resolve', maxTime);
    }
    return complete;
  }

  async function assess(): Promise<void> {
    evaluate();
    report = undefined;
    openTask('assessment_report', SERVICE_LEVELS.assessmentReportDays);
    if (status.state !== 'assessment') await transition('assessment', 'assessment');
    else await publishView();
    await waitForTask(() => report !== undefined);
    await publishView();
    // The proposal follows the report (proposeResolutionUpdate moves the case to 'proposed').
    await waitFor(() => status.state === 'proposed');
  }

  /** Assessment, proposal and resolution, until a proposal is approved by a second person. */
  async function decide(): Promise<void> {
    for (;;) {
      if (!status.proposal) await assess();
      openTask('resolution', SERVICE_LEVELS.resolutionDays);
      await publishView();
      await waitForTask(() => decision !== undefined || status.proposal === undefined);
      if (decision === 'approved') return;
      // Sent back, or late documents reopened the assessment (art. 73.3).
      decision = undefined;
      status.proposal = undefined;
      if (status.state !== 'assessment') await transition('assessment', 'proposal_sent_back');
    }
  }

  /** Electronic notification: effects from acceptance, or deemed rejected after 10 calendar days (art. 43.2). */
  async function notify(): Promise<void> {
    const depositedOn = today();
    status.notification = { depositedOn };
    clearDeadline('max_time_to_resolve');
    await notices.depositNotification({
      applicationId: input.applicationId,
      kind: 'resolution',
      key: nextKey('resolution_notice'),
      language: input.applicant.language,
    });
    const rejectedOn = plusDays(depositedOn, LEGAL_PERIODS.notificationAcceptanceDays);
    setDeadline('notification_acceptance', { deadline: rejectedOn, legalBasis: [], provisional: false });
    if (remindersEnabled() && (input.applicant.email || input.applicant.phone)) {
      // A courtesy alert by email and SMS, in the sending window (never at night): not awaited, since the
      // notification's effects never wait for it.
      const alertKey = `${input.applicationId}:${nextKey('notification_alert')}`;
      const sendAt = nextSendingInstant(calendar, nowMs(), officeDateOf, (d) => startOf(d));
      void (async () => {
        if (sendAt > nowMs()) await sleep(sendAt - nowMs());
        if (closed()) return;
        await reminderSender.sendNotificationAlert({
          key: alertKey,
          applicationId: input.applicationId,
          language: input.applicant.language,
          acceptBy: rejectedOn,
          email: input.applicant.email,
          phone: input.applicant.phone,
        });
      })().catch(() => undefined);
    }
    // The figures travel with the step, for the office's indicators (amounts granted per benefit).
    await transition('notifying', 'resolved', status.resolution?.resolvedBy, status.resolution?.outcome, {
      outcome: status.resolution?.outcome,
      amount: status.resolution?.amount,
      instalments: status.resolution?.instalments,
    });
    const answered = await waitFor(
      () => status.notification?.outcome !== undefined,
      () => expiryOf(rejectedOn),
    );
    if (!answered && status.notification) {
      status.notification.outcome = 'rejected';
      status.notification.effectiveOn = rejectedOn;
      await recordEvent(
        'notification_deemed_rejected',
        undefined,
        `not opened in ${LEGAL_PERIODS.notificationAcceptanceDays} calendar days`,
      );
    }
    clearDeadline('notification_acceptance');
    const window = computeDeadline(calendar, {
      from: status.notification?.effectiveOn ?? rejectedOn,
      amount: LEGAL_PERIODS.appealMonths,
      unit: 'months',
    });
    setDeadline('appeal_filing', window);
    await publishView();
  }

  /** The month to appeal, and a filed appeal's own month to be resolved (silence: dismissed). */
  async function appealPeriod(): Promise<void> {
    const window = status.deadlines.find((d) => d.kind === 'appeal_filing');
    if (!window) return;
    const filed = await waitFor(
      () => status.appeal !== undefined,
      () => expiryOf(window.dueDate),
    );
    clearDeadline('appeal_filing');
    if (!filed || !status.appeal) {
      await publishView();
      return;
    }
    // The status is complete before the state changes, so nobody sees an appeal without its deadline.
    const limit = computeDeadline(calendar, {
      from: status.appeal.filedOn,
      amount: LEGAL_PERIODS.appealMonths,
      unit: 'months',
    });
    setDeadline('appeal_resolution', limit);
    openTask('appeal_resolution', SERVICE_LEVELS.resolutionDays);
    if (status.resolution?.outcome !== 'granted') await transition('appeal', 'appeal_filed');
    else await publishView();
    const decided = await waitFor(
      () => appealDecided,
      () => expiryOf(limit.deadline),
    );
    if (!decided && status.appeal) {
      status.appeal.outcome = 'dismissed_by_silence';
      await recordEvent('appeal_dismissed_by_silence', undefined, 'one month passed without a decision');
    }
    closeTask();
    clearDeadline('appeal_resolution');
    await publishView();
  }

  function paidTotal(): number {
    return (
      Math.round(status.payments.filter((p) => p.status === 'paid').reduce((s, p) => s + p.amount, 0) * 100) /
      100
    );
  }

  /** One-off or monthly payments; each with an idempotency key, retried, then escalated to staff. */
  async function pay(firstDue: IsoDate): Promise<void> {
    const resolution = status.resolution;
    if (!resolution?.amount || !resolution.instalments) return;
    const planned: PaymentRecord[] = [];
    for (let i = 1; i <= resolution.instalments; i++) {
      planned.push({
        key: `${input.applicationId}:p${status.period}:i${i}`,
        instalment: i,
        amount: resolution.amount,
        dueDate: plusMonths(firstDue, i - 1),
        status: 'pending',
      });
    }
    status.payments = planned;
    if (status.state !== 'paying')
      await transition(
        'paying',
        'payments_scheduled',
        undefined,
        `${planned.length} × ${resolution.amount} €`,
      );
    for (const payment of planned) {
      await waitFor(
        () => revoked || payment.status === 'cancelled',
        () => startOf(payment.dueDate),
      );
      if (revoked || payment.status === 'cancelled') continue;
      for (;;) {
        try {
          await treasury.orderPayment({
            applicationId: input.applicationId,
            key: payment.key,
            instalment: payment.instalment,
            amount: payment.amount,
            recipient: input.pinned.benefit.payment.recipient,
            dueDate: payment.dueDate,
          });
          payment.status = 'paid';
          await recordEvent(
            'payment_ordered',
            undefined,
            `${payment.instalment}/${planned.length}: ${payment.amount} €`,
            { key: payment.key },
          );
          break;
        } catch (err) {
          if (!(err instanceof ActivityFailure)) throw err;
          payment.status = 'failed';
          openTask('payment_failure', 1);
          await recordEvent(
            'payment_failed',
            undefined,
            `${payment.key}: retries exhausted, escalated to staff`,
          );
          retryRequested = false;
          await waitFor(() => retryRequested || cancelled(payment));
          closeTask();
          if (cancelled(payment)) break;
          payment.status = 'pending';
        }
      }
      await publishView();
    }
  }

  /** Receipts by the ordinance's deadline; missing or insufficient justification opens repayment. */
  async function justify(): Promise<void> {
    const rule = input.pinned.benefit.justification;
    const paid = paidTotal();
    if (!rule.required || paid === 0) return;
    const lastPaid = status.payments.filter((p) => p.status === 'paid').at(-1)?.dueDate ?? today();
    const due = computeDeadline(calendar, {
      from: lastPaid,
      amount: rule.deadline.amount,
      unit: rule.deadline.unit,
    });
    status.justification = { dueDate: due.deadline };
    setDeadline('justification', due);
    await transition('awaiting_justification', 'justification_due', undefined, due.deadline);
    const reviewed = await waitFor(
      () => status.justification?.verdict !== undefined,
      () => expiryOf(due.deadline),
    );
    clearDeadline('justification');
    if (!reviewed && status.justification) {
      status.justification.verdict = 'missing';
      await recordEvent('justification_missing', undefined, `no receipts by ${due.deadline}`);
    }
    const verdict = status.justification?.verdict;
    const owed =
      verdict === 'accepted'
        ? 0
        : verdict === 'partial'
          ? paid - (status.justification?.acceptedAmount ?? 0)
          : paid;
    if (owed > 0) await repay(Math.round(owed * 100) / 100);
  }

  /** Reintegrament: the amount due, and 12 months before the procedure lapses (Llei 38/2003 art. 42.4). */
  async function repay(amount: number): Promise<void> {
    const openedOn = today();
    const lapses = computeDeadline(calendar, {
      from: openedOn,
      amount: LEGAL_PERIODS.repaymentMonths,
      unit: 'months',
    });
    status.repayment = { amount, openedOn, lapsesOn: lapses.deadline };
    setDeadline('repayment', lapses);
    await transition('repayment', 'repayment_opened', undefined, `${amount} €`);
    const recovered = await waitFor(
      () => repaid >= amount - 0.001,
      () => expiryOf(lapses.deadline),
    );
    status.repayment.outcome = recovered ? 'recovered' : 'lapsed';
    clearDeadline('repayment');
    await recordEvent(
      recovered ? 'repayment_recovered' : 'repayment_lapsed',
      undefined,
      `${repaid} of ${amount} €`,
    );
  }

  /**
   * Before the period ends, re-check the conditions with fresh registry data: renew into a new run
   * (continue-as-new, so the history stays bounded however many years the case lives), ask for documents,
   * or end.
   */
  async function renewOrClose(periodStart: IsoDate): Promise<void> {
    const renewal = input.pinned.benefit.renewal;
    if (!renewal || revoked) return close('period ended');
    const periodEnd = plusMonths(periodStart, renewal.periodMonths);
    setDeadline('renewal', { deadline: periodEnd, legalBasis: [], provisional: false });
    await publishView();
    await waitFor(
      () => false,
      () => startOf(plusDays(periodEnd, -SERVICE_LEVELS.renewalReviewDays)),
    );
    await transition('renewal_review', 'renewal_review');
    const complete = await completeness('renewal');
    evaluate();
    if (!complete || status.eligibility?.outcome !== 'eligible' || !status.eligibility.amount) {
      return close(
        complete ? `not renewed: ${status.eligibility?.outcome}` : 'not renewed: documents not delivered',
      );
    }
    const [next, freshCalendar] = await Promise.all([
      projection.pinCatalogue({
        municipalityCode: input.municipalityCode,
        benefitCode: input.benefitCode,
        on: periodEnd,
      }),
      projection.loadCalendar({ municipalityCode: input.municipalityCode }),
    ]);
    if (!next) return close('not renewed: the benefit is no longer in the catalogue');
    await recordEvent('renewed', undefined, `period ${status.period + 1} from ${periodEnd}`);
    await condition(allHandlersFinished);
    const amount = status.eligibility.amount;
    const schedule = next.benefit.payment.schedule;
    await continueAsNew<typeof applicationWorkflow>(
      { ...input, effectiveFilingDate: periodEnd, pinned: next, calendar: freshCalendar, declared: facts },
      {
        period: status.period + 1,
        previousAid: [...previousAid, { benefitCode: input.benefitCode, grantedOn: periodStart }],
        history: status.history.slice(-CARRIED_HISTORY),
        renewal: {
          amount: amount.amount,
          instalments: schedule.type === 'monthly' ? schedule.instalments : 1,
          resolvedOn: periodEnd,
          assignee: status.assignee,
        },
      },
    );
  }

  async function close(reason: string): Promise<void> {
    status.closingReason = reason;
    await transition('closed', 'closed', undefined, reason);
  }

  // ---- the lifecycle -------------------------------------------------------------------------------------

  try {
    if (carried) {
      // A renewed period starts from its renewal resolution.
      const schedule = input.pinned.benefit.payment.schedule;
      status.resolution = {
        outcome: 'granted',
        reasons: 'renovació / renovación',
        amount: carried.renewal.amount,
        instalments: schedule.type === 'monthly' ? schedule.instalments : carried.renewal.instalments,
        proposedBy: 'renewal',
        resolvedBy: 'renewal',
        resolvedOn: carried.renewal.resolvedOn,
      };
      await recordEvent('period_started', undefined, `period ${status.period}`);
    } else {
      await register();
      const maxTimeWatch = watchMaxTimeToResolve();
      const complete = await completeness();
      if (!complete) {
        // Art. 68.1: the person is taken to have withdrawn; that is declared by resolution.
        status.proposal = {
          outcome: 'withdrawal',
          reasons: 'Requeriment d’esmena no atès / requerimiento no atendido',
          proposedBy: 'system',
        };
        await transition('proposed', 'withdrawal_proposed', undefined, 'remedy period expired');
      }
      await decide();
      await maxTimeWatch;
    }
    await notify();
    if (outcome() !== 'granted') {
      await appealPeriod();
      if (outcome() !== 'granted')
        await close(outcome() === 'withdrawal' ? 'withdrawal declared' : 'refused');
    }
    if (!closed() && status.resolution && outcome() === 'granted') {
      const firstDue = status.notification?.effectiveOn ?? today();
      // An appeal does not suspend the act (art. 117): payments and justification go on meanwhile. The
      // concurrent appeal month settles into a value, so that a case closed meanwhile is no unhandled rejection.
      const appeal = appealPeriod().then(
        () => undefined,
        (err: unknown) => err,
      );
      await pay(firstDue);
      await justify();
      const appealError = await appeal;
      if (appealError) throw appealError as Error;
      if (!closed()) await renewOrClose(status.resolution.resolvedOn);
    }
  } catch (err) {
    if (!(err instanceof CaseClosed)) throw err;
  }
  await condition(allHandlersFinished);
  // Nothing taken is left unwritten (every path closes with a change of state, which writes them).
  if (pendingEvents.length) await flushEvents();
  return status;
}
