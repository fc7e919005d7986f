/**
 * One run of an application's workflow (one period of the case): its state, and the operations that its
 * phases and its handlers share (changes of state and events written to the projection, the case view,
 * deadlines, tasks, waits, the validators' checks, the eligibility evaluation, the search attributes).
 * Handlers change this state while the main flow awaits: read it through the run (`run.report`), never from
 * a copy taken before an await.
 */
import { ApplicationFailure, patched, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { CaseViewInput, RecordEventInput, RecordTransitionInput } from '../../activities/projection';
import type {
  ApplicationInput,
  ApplicationState,
  ApplicationStatus,
  DeclaredFacts,
  HumanTask,
  StepRecord,
  TaskKind,
} from '../../domain/application';
import { isClosed } from '../../domain/application';
import { createBusinessCalendar } from '../../domain/calendar';
import type { BusinessCalendar } from '../../domain/calendar';
import type { IsoDate } from '../../domain/dates';
import { computeDeadline } from '../../domain/deadlines';
import type { Deadline, DeadlineKind, PausedDeadline } from '../../domain/deadlines';
import { evaluateEligibility } from '../../domain/eligibility';
import type { EligibilityFacts, PreviousAid } from '../../domain/eligibility';
import { RejectionType } from '../../domain/errors';
import type { RegistryFacts } from '../../domain/registries';
import { LEGAL_BASIS } from '../../domain/legal-basis';
import type { LegalBasis } from '../../domain/legal-basis';
import { expiryOf, nowIso, today, waitUntil } from '../clock';
import { assigneeKey, benefitKey, municipalityKey, nextDeadlineKey, stateKey } from '../search-attributes';
import { projection } from './activities';
import { EVENTS_WITH_STEP_PATCH, ONE_STEP_PROJECTION_PATCH, SEARCH_ATTRIBUTES_PATCH } from './patches';
import { Reminders } from './reminders';

/** What a renewal carries into the next period's run (continue-as-new). */
export interface CarriedState {
  period: number;
  previousAid: PreviousAid[];
  /** The most recent steps, so the status keeps some history across periods; the projection keeps all. */
  history: StepRecord[];
  /** The renewal resolution the new period starts from. */
  renewal: { amount: number; instalments: number; resolvedOn: IsoDate; assignee?: string | undefined };
}

/** The workflow's signature, for its continue-as-new into the next period (renewal.ts). */
export type ApplicationWorkflow = (
  input: ApplicationInput,
  carried?: CarriedState,
) => Promise<ApplicationStatus>;

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

/** Raised inside the main flow when a handler closed the case (withdrawal, revocation): it stops there. */
export class CaseClosed extends Error {}

export function reject(type: RejectionType, message: string): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true });
}

export class ApplicationRun {
  readonly calendar: BusinessCalendar;
  /** What the status query answers; every field a handler or the main flow changes is in it or below. */
  readonly status: ApplicationStatus;
  facts: DeclaredFacts;
  registryFacts: RegistryFacts = {};
  readonly previousAid: PreviousAid[];
  maxTime: Deadline | undefined;
  maxTimePaused: PausedDeadline | undefined;
  documentDeadline: Deadline | undefined;
  report: { recommendation: 'grant' | 'refuse'; by: string } | undefined;
  decision: 'approved' | 'rejected' | undefined;
  appealDecided = false;
  retryRequested = false;
  // Bumped by retryNowUpdate: registry consultations waiting for their next round go now.
  retryNowRequests = 0;
  revoked = false;
  repaid = 0;
  /** Whether REGISTRY_SINCE_PATCH applies, asked by the first consultation that moves (trackRegistry). */
  registrySinceOnChange: boolean | undefined;
  readonly reminders: Reminders;
  /** Events taken but not yet written: the next change of state writes them (see EVENTS_WITH_STEP_PATCH). */
  readonly pendingEvents: RecordEventInput[] = [];

  private viewVersion = 0;
  private eventSeq = 0;
  // What was last upserted, so that an unchanged attribute adds no command to the history.
  private readonly indexed = new Map<string, string>();
  private oneStepProjection: boolean | undefined;
  private eventsWithStep: boolean | undefined;

  constructor(
    readonly input: ApplicationInput,
    carried?: CarriedState,
  ) {
    this.calendar = createBusinessCalendar(input.calendar, [input.municipalityCode]);
    this.status = {
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
    this.facts = { ...input.declared };
    this.previousAid = carried?.previousAid ?? [];
    this.reminders = new Reminders(input, this.calendar, this.status);
  }

  // Keys for projected events and view snapshots: stable across activity retries and replays.
  nextKey(type: string): string {
    return `${workflowInfo().runId}:${++this.eventSeq}:${type}`;
  }

  // Read through a method: handlers change the state while the main flow awaits, which narrowing cannot see.
  closed(): boolean {
    return isClosed(this.status.state);
  }

  // ---- projection --------------------------------------------------------------------------------------

  /** Keeps the search attributes (state, benefit, municipality, assignee, next deadline) current. */
  private indexCase(): void {
    if (!patched(SEARCH_ATTRIBUTES_PATCH)) return;
    const { input, status } = this;
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
    const changed = wanted.filter((p) => (this.indexed.get(p.key.name) ?? 'null') !== fingerprint(p));
    if (changed.length === 0) return;
    for (const p of changed) this.indexed.set(p.key.name, fingerprint(p));
    upsertSearchAttributes(changed);
  }

  /** The case view as it stands, with its next version; reminders and search attributes brought in line. */
  caseView(): CaseViewInput {
    this.reminders.sync();
    this.indexCase();
    const { status } = this;
    return {
      applicationId: this.input.applicationId,
      version: `${String(status.period).padStart(4, '0')}:${String(++this.viewVersion).padStart(8, '0')}`,
      state: status.state,
      assignee: status.assignee ?? null,
      deadlines: status.deadlines,
      task: status.pendingTask ?? null,
      blockedOn: status.blockedOn ?? [],
      at: nowIso(),
    };
  }

  async publishView(): Promise<void> {
    if (this.pendingEvents.length) await this.flushEvents();
    await projection.recordCaseView(this.caseView());
  }

  oneStepProjectionOn(): boolean {
    this.oneStepProjection ??= patched(ONE_STEP_PROJECTION_PATCH);
    return this.oneStepProjection;
  }

  eventsWithStepOn(): boolean {
    // Only where a change of state is one activity that can carry them; asked where the commands differ.
    this.eventsWithStep ??= this.oneStepProjectionOn() && patched(EVENTS_WITH_STEP_PATCH);
    return this.eventsWithStep;
  }

  private takeEvent(
    type: string,
    actor?: string,
    note?: string,
    detail?: Record<string, unknown>,
  ): RecordEventInput {
    const at = nowIso();
    this.status.history.push({ at, type, actor, note });
    return {
      applicationId: this.input.applicationId,
      eventKey: this.nextKey(type),
      type,
      actor,
      note,
      detail,
      at,
    };
  }

  /**
   * Writes the events a change of state was to carry, should another write come first. Callers await it only
   * when there are some: an await of nothing would still yield, letting other coroutines issue their commands
   * first, and histories recorded without it would no longer replay.
   */
  async flushEvents(): Promise<void> {
    for (const event of this.pendingEvents.splice(0)) await projection.recordEvent(event);
  }

  async recordEvent(
    type: string,
    actor?: string,
    note?: string,
    detail?: Record<string, unknown>,
  ): Promise<void> {
    const event = this.takeEvent(type, actor, note, detail);
    if (this.pendingEvents.length) await this.flushEvents();
    await projection.recordEvent(event);
  }

  /** An event that a change of state follows at once: written with it, in its activity. */
  deferEvent(type: string, actor?: string, note?: string): void {
    this.pendingEvents.push(this.takeEvent(type, actor, note));
  }

  async transition(
    to: ApplicationState,
    type: string,
    actor?: string,
    note?: string,
    detail?: Record<string, unknown>,
  ): Promise<void> {
    const { status } = this;
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
      applicationId: this.input.applicationId,
      eventKey: this.nextKey(type),
      type,
      from,
      to,
      actor,
      note,
      detail,
      at,
    };
    if (this.oneStepProjectionOn()) {
      const events = this.pendingEvents.splice(0);
      await projection.recordStep({
        ...(events.length ? { events } : {}),
        transition: step,
        view: this.caseView(),
      });
    } else {
      await projection.recordTransition(step);
      await this.publishView();
    }
  }

  // ---- deadlines and tasks -------------------------------------------------------------------------------

  setDeadline(
    kind: DeadlineKind,
    d: Deadline | { deadline: IsoDate; legalBasis: LegalBasis[]; provisional: boolean },
    pausedSince?: IsoDate,
  ): void {
    // The article that sets this kind of deadline comes first, however often it is recomputed (paused,
    // resumed, extended), followed by the counting rules of the computation.
    const own = DEADLINE_BASIS[kind];
    const legalBasis = own ? [own, ...d.legalBasis.filter((b) => b !== own)] : d.legalBasis;
    this.status.deadlines = [
      ...this.status.deadlines.filter((x) => x.kind !== kind),
      { kind, dueDate: d.deadline, legalBasis, provisional: d.provisional, pausedSince },
    ].sort((a, b) => (a.dueDate < b.dueDate ? -1 : 1));
  }

  clearDeadline(kind: DeadlineKind): void {
    this.status.deadlines = this.status.deadlines.filter((x) => x.kind !== kind);
  }

  openTask(kind: TaskKind, slaBusinessDays: number): HumanTask {
    const { status } = this;
    const sla = computeDeadline(this.calendar, {
      from: today(),
      amount: slaBusinessDays,
      unit: 'business_days',
    });
    status.pendingTask = {
      kind,
      assignee: status.assignee,
      createdOn: today(),
      slaDate: sla.deadline,
      overdue: false,
    };
    this.setDeadline('task_sla', sla);
    return status.pendingTask;
  }

  closeTask(): void {
    this.status.pendingTask = undefined;
    this.clearDeadline('task_sla');
  }

  /** Waits for `done`, or the deadline; throws CaseClosed when a handler closed the case meanwhile. */
  async waitFor(done: () => boolean, until: () => number | undefined = () => undefined): Promise<boolean> {
    const result = await waitUntil(() => done() || this.closed(), until);
    if (this.closed()) throw new CaseClosed();
    return result;
  }

  /** Waits for a task's outcome, marking it overdue (and saying so) when its service level passes. */
  async waitForTask(done: () => boolean): Promise<void> {
    const task = this.status.pendingTask;
    if (task && !(await this.waitFor(done, () => expiryOf(task.slaDate)))) {
      task.overdue = true;
      await this.recordEvent(
        'task_overdue',
        undefined,
        `${task.kind} past its service level of ${task.slaDate}`,
      );
      await this.publishView();
      await this.waitFor(done);
    }
    this.closeTask();
  }

  // ---- validators' helpers -----------------------------------------------------------------------------

  requireActor(actor: string | undefined): void {
    if (!actor || !actor.trim()) reject(RejectionType.InvalidInput, 'The action must name who takes it');
  }

  requireState(action: string, ...states: ApplicationState[]): void {
    const { status } = this;
    if (!states.includes(status.state)) {
      reject(
        RejectionType.InvalidTransition,
        `Cannot ${action}: application ${this.input.applicationId} is ${status.state}, not ${states.join(' or ')}`,
      );
    }
  }

  requireOpen(action: string): void {
    if (this.closed())
      reject(
        RejectionType.InvalidTransition,
        `Cannot ${action}: application ${this.input.applicationId} is ${this.status.state}`,
      );
  }

  // ---- eligibility ---------------------------------------------------------------------------------------

  eligibilityFacts(): EligibilityFacts {
    const { facts, registryFacts } = this;
    return {
      asOf: this.input.effectiveFilingDate,
      applicant: { birthDate: facts.birthDate },
      household: facts.household ?? [{ role: 'applicant', birthDate: facts.birthDate }],
      monthlyIncome: facts.monthlyIncome,
      savings: facts.savings,
      cost: facts.cost,
      residenceSince: facts.residenceSince,
      registeredInMunicipality: registryFacts.registeredInMunicipality,
      benefitsReceived: registryFacts.benefitsReceived,
      benefitsApplied: registryFacts.benefitsApplied,
      previousAid: this.previousAid,
    };
  }

  evaluate(): void {
    this.status.eligibility = evaluateEligibility(this.input.pinned, this.eligibilityFacts());
  }
}

/**
 * An update's handler and its validator, acting on the run (registered by registerHandlers): the validator
 * refuses, with the reason, what the case's state does not allow, before anything is recorded.
 */
export interface RunUpdate<Args extends [unknown, ...unknown[]]> {
  handler(run: ApplicationRun, ...args: Args): Promise<ApplicationStatus>;
  validator(run: ApplicationRun, ...args: Args): void;
}
