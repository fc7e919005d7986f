/**
 * Projection of workflow state into PostgreSQL. Every write is idempotent: an event carries a key chosen by
 * the workflow, and a case view carries a version, so a retried or replayed activity never writes a step
 * twice nor puts an older view over a newer one.
 */
import type { Prisma, PrismaClient } from '../generated/prisma/client';
import type { ApplicationInput, ApplicationState, HumanTask } from '../domain/application';
import type { RunningDeadline } from '../domain/deadlines';
import { isClosed } from '../domain/application';
import { municipalityOfApplication } from '../domain/access';
import { REGISTRY_SERVICES } from '../domain/catalogue';
import { consentPerService } from '../domain/registries';
import { dateColumn, submittedRow } from '../adapters/db/application-row';

export interface RecordApplicationInput extends ApplicationInput {
  eventKey: string;
  registeredAt: string;
}

export interface RecordTransitionInput {
  applicationId: string;
  eventKey: string;
  type: string;
  from: ApplicationState;
  to: ApplicationState;
  actor?: string | undefined;
  note?: string | undefined;
  /** Figures of the step (absent in older versions). */
  detail?: Record<string, unknown> | undefined;
  at: string;
}

export interface RecordEventInput {
  applicationId: string;
  eventKey: string;
  type: string;
  actor?: string | undefined;
  note?: string | undefined;
  detail?: Record<string, unknown> | undefined;
  at: string;
}

export interface CaseViewInput {
  applicationId: string;
  /** Increasing within a case (period, then sequence): an older view never replaces a newer one. */
  version: string;
  state: ApplicationState;
  assignee: string | null;
  deadlines: RunningDeadline[];
  task: HumanTask | null;
  /** Registries the case waits on because they are unavailable (absent in views of the first version). */
  blockedOn?: string[] | undefined;
  /** When the workflow published the view (absent in older versions: the activity's own clock is used). */
  at?: string | undefined;
}

export interface RecordStepInput {
  /**
   * Events the workflow took just before this change of state, written with it (absent in older versions,
   * which wrote each by its own activity).
   */
  events?: RecordEventInput[] | undefined;
  transition: RecordTransitionInput;
  view: CaseViewInput;
}

const day = dateColumn;

/** An event's row; the key makes a retried write a no-op (createMany with skipDuplicates). */
function eventRow(input: RecordEventInput): Prisma.ApplicationEventCreateManyInput {
  return {
    applicationId: input.applicationId,
    eventKey: input.eventKey,
    type: input.type,
    actor: input.actor ?? null,
    detail: eventDetail(input),
    occurredAt: new Date(input.at),
  };
}

/**
 * An event's detail as stored: its detail with its note, the note winning over a `note` inside the detail (it
 * is what the step says of itself); nothing when there is neither. One rule for events and state changes.
 */
export function eventDetail(
  input: Pick<RecordEventInput, 'note' | 'detail'>,
): Prisma.InputJsonObject | undefined {
  return input.note || input.detail
    ? { ...input.detail, ...(input.note ? { note: input.note } : {}) }
    : undefined;
}

type Tx = Prisma.TransactionClient;

/** A step that changed the state: its event and the case's state, once (the event key guards a retry). */
async function writeTransition(tx: Tx, input: RecordTransitionInput): Promise<void> {
  const at = new Date(input.at);
  const { count } = await tx.applicationEvent.createMany({
    data: [
      {
        applicationId: input.applicationId,
        eventKey: input.eventKey,
        type: input.type,
        fromState: input.from,
        toState: input.to,
        actor: input.actor ?? null,
        detail: eventDetail(input),
        occurredAt: at,
      },
    ],
    skipDuplicates: true,
  });
  if (count === 0) return; // already projected by an earlier attempt
  await tx.application.update({
    where: { id: input.applicationId },
    data: { state: input.to, ...(isClosed(input.to) ? { closedAt: at } : {}) },
  });
  // A closed case frees its household to apply again for the same benefit, and no deadline runs on it any
  // more (the office's deadline counts rely on that: they read the deadlines alone).
  if (isClosed(input.to)) {
    await tx.householdClaim.deleteMany({ where: { applicationId: input.applicationId } });
    await tx.applicationDeadline.deleteMany({ where: { applicationId: input.applicationId } });
  }
}

/** Running deadlines, the pending task and the assignee, as the coordinators' lists read them. */
async function writeCaseView(tx: Tx, input: CaseViewInput): Promise<void> {
  const next = input.deadlines.find((d) => !d.pausedSince);
  const { count } = await tx.application.updateMany({
    where: {
      id: input.applicationId,
      OR: [{ viewVersion: null }, { viewVersion: { lt: input.version } }],
    },
    data: {
      viewVersion: input.version,
      assignee: input.assignee,
      // A paused deadline (the time to resolve during a request to remedy) is not the next one.
      nextDeadline: next ? day(next.dueDate) : null,
      blockedOn: input.blockedOn ?? [],
    },
  });
  if (count === 0) return; // a newer view is already there
  await tx.applicationDeadline.deleteMany({ where: { applicationId: input.applicationId } });
  await tx.applicationDeadline.createMany({
    data: (isClosed(input.state) ? [] : input.deadlines).map((d) => ({
      applicationId: input.applicationId,
      municipalityCode: municipalityOfApplication(input.applicationId),
      kind: d.kind,
      dueDate: day(d.dueDate),
      legalBasis: d.legalBasis.map((b) => `${b.law}, art. ${b.article}`),
      provisional: d.provisional,
      pausedSince: d.pausedSince ? day(d.pausedSince) : null,
    })),
  });
  await tx.applicationTask.deleteMany({ where: { applicationId: input.applicationId } });
  // The task log: the view's task is open (created once), any other open task of the case is done.
  const at = input.at ? new Date(input.at) : new Date();
  await tx.taskRecord.updateMany({
    where: {
      applicationId: input.applicationId,
      closedAt: null,
      ...(input.task ? { NOT: { kind: input.task.kind, createdOn: day(input.task.createdOn) } } : {}),
    },
    data: { closedAt: at },
  });
  if (input.task) {
    await tx.taskRecord.upsert({
      where: {
        applicationId_kind_createdOn: {
          applicationId: input.applicationId,
          kind: input.task.kind,
          createdOn: day(input.task.createdOn),
        },
      },
      create: {
        applicationId: input.applicationId,
        kind: input.task.kind,
        assignee: input.task.assignee ?? null,
        createdOn: day(input.task.createdOn),
        slaDate: day(input.task.slaDate),
      },
      update: { assignee: input.task.assignee ?? null, slaDate: day(input.task.slaDate) },
    });
    await tx.applicationTask.create({
      data: {
        applicationId: input.applicationId,
        kind: input.task.kind,
        assignee: input.task.assignee ?? null,
        createdOn: day(input.task.createdOn),
        slaDate: day(input.task.slaDate),
        overdue: input.task.overdue,
      },
    });
  }
}

export function createProjectionActivities({ prisma }: { prisma: PrismaClient }) {
  return {
    async recordApplication(input: RecordApplicationInput): Promise<void> {
      const registeredAt = new Date(input.registeredAt);
      await prisma.$transaction(async (tx) => {
        await tx.application.upsert({
          where: { id: input.applicationId },
          create: { ...submittedRow(input), state: 'registered', registeredAt },
          update: {},
        });
        // The API lists a case from its filing (state submitted): registration completes that row, once.
        await tx.application.updateMany({
          where: { id: input.applicationId, state: 'submitted' },
          data: { state: 'registered', registeredAt },
        });
        await tx.applicationIntake.upsert({
          where: { applicationId: input.applicationId },
          create: {
            applicationId: input.applicationId,
            // Plain JSON data (strings and numbers), which Prisma's JSON type cannot see from the interface.
            household: (input.householdMembers ?? []) as unknown as Prisma.InputJsonArray,
            incomes: (input.incomes ?? []) as unknown as Prisma.InputJsonArray,
            bankIban: input.bankAccount?.iban ?? null,
            bankHolder: input.bankAccount?.holder ?? null,
          },
          update: {},
        });
        // Consent and objection per registry, as filed: the connectors check it before every call.
        await tx.registryConsent.createMany({
          data: consentPerService(input.consent, REGISTRY_SERVICES).map((c) => ({
            applicationId: input.applicationId,
            service: c.service,
            consent: c.consent,
            holderDocument: input.applicant.documentNumber,
            recordedAt: registeredAt,
          })),
          skipDuplicates: true,
        });
        await tx.applicationEvent.createMany({
          data: [
            {
              applicationId: input.applicationId,
              eventKey: input.eventKey,
              type: 'registered',
              fromState: 'submitted',
              toState: 'registered',
              actor: input.submittedBy,
              occurredAt: registeredAt,
            },
          ],
          skipDuplicates: true,
        });
      });
    },

    async recordTransition(input: RecordTransitionInput): Promise<void> {
      await prisma.$transaction((tx) => writeTransition(tx, input));
    },

    async recordEvent(input: RecordEventInput): Promise<void> {
      await prisma.applicationEvent.createMany({ data: [eventRow(input)], skipDuplicates: true });
    },

    async recordCaseView(input: CaseViewInput): Promise<void> {
      await prisma.$transaction((tx) => writeCaseView(tx, input));
    },

    /**
     * A change of state and the case view it leads to, in one transaction: one activity instead of two, so
     * one round trip through Temporal fewer per step (cases started before this version replay the pair).
     * The events that led to it at once (documents completing a request) come in the same transaction.
     */
    async recordStep(input: RecordStepInput): Promise<void> {
      await prisma.$transaction(async (tx) => {
        if (input.events?.length) {
          await tx.applicationEvent.createMany({ data: input.events.map(eventRow), skipDuplicates: true });
        }
        await writeTransition(tx, input.transition);
        await writeCaseView(tx, input.view);
      });
    },
  };
}
