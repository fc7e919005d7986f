/**
 * Filing an application: the one protocol that turns an intake into a case, safe to repeat and safe when
 * Temporal or PostgreSQL fail half-way.
 *
 *  1. Checks: dates against the day of filing, the benefit in force on the effective filing date (art. 31:
 *     a filing on a non-business day counts from the next business day), and no open application of the
 *     household for the benefit (checked before a number is allocated, so a refused duplicate leaves no gap
 *     in the registry book).
 *  2. With an Idempotency-Key, the intake request is recorded first (adapters/db/intake-store.ts): the same
 *     key and body answer the same application; a key under way is waited for; a key reused with another
 *     body is refused.
 *  3. A number from the municipality's registry book (`08305-2026-000042`, also the workflow id); the
 *     household is claimed for the benefit under it (primary keys settle concurrent filings).
 *  4. The case's workflow is started. When the start answers an error, Temporal is asked whether it happened
 *     all the same (the answer may have been lost): started, the filing succeeded; not started, the household
 *     is released; unknown, the claim and the key are kept as uncertain, and a retry with the same key settles
 *     that number.
 *  5. The case's row is written (state `submitted`), so that it is listed at once whatever the worker's
 *     backlog; registration completes it, or writes it should this write be lost.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { ApplicationInput } from '../domain/application';
import type { StaffMember } from '../domain/access';
import { calendarDataFor, createBusinessCalendar } from '../domain/calendar';
import { pinBenefit } from '../domain/catalogue';
import { officeDateOf } from '../domain/dates';
import { effectiveFiling } from '../domain/deadlines';
import { AppError } from '../domain/errors';
import type { FieldError } from '../domain/errors';
import { datesAfter, declaredFacts, householdDocuments } from '../domain/intake';
import type { Intake } from '../domain/intake';
import { submittedRow } from '../adapters/db/application-row';
import { allocateApplicationNumber } from '../adapters/db/application-numbers';
import {
  abandonIntake,
  beginIntake,
  bodyHash,
  claimHousehold,
  completeIntake,
  markUncertain,
  releaseHousehold,
} from '../adapters/db/intake-store';
import type { IntakeBegin } from '../adapters/db/intake-store';
import { isActiveStaffOf } from '../adapters/db/staff';
import type { Logger } from '../adapters/logger';
import type { ReferenceData } from '../adapters/reference-data';
import type { CaseClient } from '../adapters/temporal/case-client';
import type { PrismaClient } from '../generated/prisma/client';
import { initialSearchAttributes } from '../workflows/search-attributes';

/** A registry counter behind Temporal (a restored database): numbers Temporal knows are skipped, this often. */
const MAX_NUMBER_SKIPS = 20;
/** How long a retried filing waits for the first one with the same Idempotency-Key to finish. */
const IN_PROGRESS_WAIT_MS = 10_000;
/** Tolerance between this machine's clock and Temporal's when telling whether a start happened. */
const CLOCK_SKEW_MS = 60_000;
/** Older than any filing still starting its case (the client's start call gives up well before). */
const STALE_CLAIM_MS = 5 * 60_000;

export interface FilingDeps {
  prisma: PrismaClient;
  cases: CaseClient;
  reference: ReferenceData;
  logger: Pick<Logger, 'warn'>;
  /** The office's fallback for unavailable registries (REGISTRY_FALLBACK_HOURS), carried by each case. */
  registryFallbackHours?: number | undefined;
}

export interface FilingRequest {
  staff: StaffMember;
  intake: Intake;
  /** The request's Idempotency-Key and the body as sent (its hash tells a retry from another filing). */
  idempotency?: { key: string; body: unknown } | undefined;
}

export interface Filed {
  applicationId: string;
  /** True when an earlier request with the same key filed it: this one changed nothing. */
  replayed: boolean;
}

const householdTaken = (applicationId: string) =>
  AppError.conflict(
    'The household already has an open application for this benefit',
    `Application ${applicationId} is open for the same household and benefit`,
    { existingApplicationId: applicationId },
  );

/** Files an application (the protocol above); the caller has checked the staff member may file here. */
export async function fileApplication(deps: FilingDeps, request: FilingRequest): Promise<Filed> {
  const { staff, intake } = request;
  const submittedAt = new Date();
  const dateProblems = datesAfter(intake, officeDateOf(submittedAt));
  if (dateProblems.length > 0) throw AppError.badRequest(dateProblems);

  const key = request.idempotency?.key;
  // The number of an earlier attempt with this key whose case may or may not have started (markUncertain).
  let uncertain: string | undefined;
  if (request.idempotency && key) {
    const hash = bodyHash(request.idempotency.body);
    let begun = await beginIntake(deps.prisma, staff.id, key, hash);
    if (begun.kind === 'in_progress') begun = await awaitEarlierFiling(deps, staff.id, key, hash);
    if (begun.kind === 'different_body') {
      throw new AppError(
        422,
        'Idempotency-Key reused',
        'This Idempotency-Key was used for a different application; use a new key for a new filing',
      );
    }
    if (begun.kind === 'done') return { applicationId: begun.applicationId, replayed: true };
    if (begun.kind === 'uncertain') uncertain = begun.applicationId;
  }

  // Set when Temporal could not say whether this filing's case started: its key is kept, not given up.
  const outcome = { keepKey: false };
  try {
    const documents = householdDocuments(intake);
    const input = await prepare(deps, staff, intake, submittedAt, { documents, uncertain });
    const file = (applicationId: string) =>
      startCase(deps, { ...input, applicationId }, { documents, uncertain, key, staffId: staff.id, outcome });
    let applicationId: string;
    if (uncertain) {
      await file(uncertain);
      applicationId = uncertain;
    } else applicationId = await startWithNewNumber(deps, intake.municipalityCode, submittedAt, file);
    if (key) await completeIntake(deps.prisma, staff.id, key, applicationId);
    return { applicationId, replayed: false };
  } catch (err) {
    if (key && !outcome.keepKey) await abandonIntake(deps.prisma, staff.id, key);
    throw err;
  }
}

/** The workflow's input but for its number, once the benefit is offered and the household is free. */
async function prepare(
  deps: FilingDeps,
  staff: StaffMember,
  intake: Intake,
  submittedAt: Date,
  household: { documents: string[]; uncertain: string | undefined },
): Promise<Omit<ApplicationInput, 'applicationId'>> {
  const calendar = createBusinessCalendar(deps.reference.calendar, [intake.municipalityCode]);
  const filing = effectiveFiling(calendar, submittedAt.toISOString());
  const pinned = pinBenefit(
    deps.reference.catalogue,
    intake.municipalityCode,
    intake.benefitCode,
    filing.effectiveDate,
  );
  if (!pinned) {
    throw new AppError(
      422,
      'Benefit not offered',
      `No catalogue version of ${intake.benefitCode} is in force in ${intake.municipalityCode} on ${filing.effectiveDate}`,
    );
  }
  const references = await referenceProblems(deps, intake, pinned.benefit.requiredDocuments);
  if (references.length > 0) throw AppError.badRequest(references);
  // Checked before a number is allocated, so that a refused duplicate leaves no gap in the registry book;
  // the claim in startCase settles concurrent filings.
  for (const open of await openApplicationsAmong(deps, household.documents, intake.benefitCode)) {
    if (open !== household.uncertain && !(await staleClaim(deps, open))) throw householdTaken(open);
  }
  return {
    municipalityCode: intake.municipalityCode,
    benefitCode: intake.benefitCode,
    applicant: intake.applicant,
    submittedAt: submittedAt.toISOString(),
    effectiveFilingDate: filing.effectiveDate,
    pinned,
    calendar: calendarDataFor(deps.reference.calendar, [intake.municipalityCode]),
    consent: intake.consent,
    declared: declaredFacts(intake.declared, intake.household, intake.incomes),
    householdMembers: intake.household,
    incomes: intake.incomes,
    bankAccount: intake.bankAccount,
    attachedDocuments: intake.attachedDocuments,
    assignee: intake.assignee,
    submittedBy: staff.id,
    registryFallbackHours: deps.registryFallbackHours,
  };
}

/**
 * What the filing names must exist: the documents handed in are of the benefit's checklist (the pinned
 * version), and the assignee is an active staff member of the municipality.
 */
async function referenceProblems(
  deps: FilingDeps,
  intake: Intake,
  checklist: readonly { code: string }[],
): Promise<FieldError[]> {
  const codes = checklist.map((d) => d.code);
  const problems: FieldError[] = (intake.attachedDocuments ?? []).flatMap((code, i) =>
    codes.includes(code)
      ? []
      : [
          {
            field: `body.attachedDocuments.${i}`,
            message: `is not a document of the ${intake.benefitCode} checklist (${codes.join(', ')})`,
          },
        ],
  );
  if (intake.assignee && !(await isActiveStaffOf(deps.prisma, intake.assignee, intake.municipalityCode))) {
    problems.push({
      field: 'body.assignee',
      message: `is not an active staff member of municipality ${intake.municipalityCode}`,
    });
  }
  return problems;
}

/**
 * Claims the household under the case's number, starts its workflow and lists it (steps 3 to 5 above).
 * Throws when the case did not start, or when nobody can say whether it did.
 */
async function startCase(
  deps: FilingDeps,
  input: ApplicationInput,
  ctx: {
    /** The household's identity documents, claimed for the benefit under the case's number. */
    documents: string[];
    uncertain: string | undefined;
    key: string | undefined;
    staffId: string;
    outcome: { keepKey: boolean };
  },
): Promise<void> {
  const { applicationId } = input;
  const holder = await claimHousehold(deps.prisma, input.benefitCode, ctx.documents, applicationId);
  if (holder) throw householdTaken(holder);
  try {
    await deps.cases.start('applicationWorkflow', applicationId, [input], {
      searchAttributes: initialSearchAttributes(input),
    });
  } catch (err) {
    // The number of an uncertain earlier attempt was allocated to this filing: a case under it is its own.
    if (applicationId === ctx.uncertain && err instanceof WorkflowExecutionAlreadyStartedError) return;
    const outcome =
      err instanceof WorkflowExecutionAlreadyStartedError
        ? 'not_started'
        : await startOutcome(
            deps,
            applicationId,
            applicationId === ctx.uncertain ? new Date(0) : new Date(input.submittedAt),
          );
    if (outcome === 'unknown') {
      // Only a start known not to have happened frees the household. When Temporal cannot say, the claim
      // stays; a retry with the same key settles this number, and a later filing of the household without it
      // checks the claim again (staleClaim).
      if (ctx.key) {
        await markUncertain(deps.prisma, ctx.staffId, ctx.key, applicationId);
        ctx.outcome.keepKey = true;
      }
      throw err;
    }
    if (outcome === 'not_started') {
      await releaseHousehold(deps.prisma, applicationId);
      throw err;
    }
    // The start reached Temporal but its answer was lost (a timeout, a dropped connection): the case exists,
    // so this filing succeeded. Answering an error would have the staff file it again.
    deps.logger.warn({ err, applicationId }, 'workflow start answered an error but the case started');
  }
  // Listed from now on, whatever the worker's backlog; registration completes the row (or writes it, should
  // this write be lost: the workflow is the source of truth).
  await deps.prisma.application
    .createMany({ data: [submittedRow(input)], skipDuplicates: true })
    .catch((err: unknown) =>
      deps.logger.warn({ err, applicationId }, 'filing row not written; registration will'),
    );
}

/**
 * Allocates the next application number and starts its case. A number Temporal already knows means the
 * database's counter is behind Temporal (a database restored from an older backup, say): the number is
 * skipped with a warning rather than failing the filing, a bounded number of times.
 */
async function startWithNewNumber(
  deps: FilingDeps,
  municipalityCode: string,
  at: Date,
  start: (applicationId: string) => Promise<void>,
): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const applicationId = await allocateApplicationNumber(deps.prisma, municipalityCode, at);
    try {
      await start(applicationId);
      return applicationId;
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      deps.logger.warn({ applicationId }, 'application number already used in Temporal; skipping it');
      if (attempt >= MAX_NUMBER_SKIPS) {
        throw AppError.conflict(
          'Application number conflict',
          'The registry counter is behind the workflow store; the office administrator must realign it',
        );
      }
    }
  }
}

/**
 * A filing with the same key is under way: wait for it, briefly, and answer what it answered. `new`: the
 * earlier one failed and gave the key up, so this request is now the filing.
 */
async function awaitEarlierFiling(
  deps: FilingDeps,
  staffId: string,
  key: string,
  hash: string,
): Promise<IntakeBegin> {
  const until = Date.now() + IN_PROGRESS_WAIT_MS;
  while (Date.now() < until) {
    await new Promise((r) => setTimeout(r, 100));
    const again = await beginIntake(deps.prisma, staffId, key, hash);
    if (again.kind !== 'in_progress') return again;
  }
  throw new AppError(409, 'A filing with this Idempotency-Key is still in progress', 'Retry in a moment', {
    retryAfterSeconds: 2,
  });
}

/**
 * Whether a workflow start that answered an error happened all the same: the number was allocated for this
 * filing, so a case under it started since `since` is this filing's. `unknown` when Temporal cannot be asked
 * either.
 */
async function startOutcome(
  deps: FilingDeps,
  applicationId: string,
  since: Date,
): Promise<'started' | 'not_started' | 'unknown'> {
  try {
    const found = await deps.cases.describe(applicationId);
    if (!found) return 'not_started';
    return found.startTime.getTime() >= since.getTime() - CLOCK_SKEW_MS ? 'started' : 'not_started';
  } catch {
    return 'unknown';
  }
}

/**
 * A household claim whose case was never listed and that Temporal does not know was left by a filing whose
 * start failed while Temporal could not say whether it had started (startOutcome `unknown`): it is released
 * here so that the household can apply. Claims younger than STALE_CLAIM_MS belong to filings that may still
 * be starting their case and are never touched.
 */
async function staleClaim(deps: FilingDeps, applicationId: string): Promise<boolean> {
  const [row, claim] = await Promise.all([
    deps.prisma.application.findUnique({ where: { id: applicationId }, select: { id: true } }),
    deps.prisma.householdClaim.findFirst({ where: { applicationId }, orderBy: { claimedAt: 'desc' } }),
  ]);
  if (row || !claim || Date.now() - claim.claimedAt.getTime() < STALE_CLAIM_MS) return false;
  if (await deps.cases.describe(applicationId)) return false;
  await releaseHousehold(deps.prisma, applicationId);
  return true;
}

/** Of the applications claiming any of these documents for the benefit, the ones not closed. */
async function openApplicationsAmong(
  deps: FilingDeps,
  documents: string[],
  benefitCode: string,
): Promise<string[]> {
  const claims = await deps.prisma.householdClaim.findMany({
    where: { benefitCode, document: { in: documents } },
    select: { applicationId: true },
  });
  if (claims.length === 0) return [];
  const ids = [...new Set(claims.map((c) => c.applicationId))];
  const closed = await deps.prisma.application.findMany({
    where: { id: { in: ids }, closedAt: { not: null } },
    select: { id: true },
  });
  return ids.filter((id) => !closed.some((c) => c.id === id));
}
