import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import type { Request, Response } from 'express';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import type { Client } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { municipalityOfApplication, worksFor } from '../../domain/access';
import { RejectionType } from '../../domain/errors';
import { calendarDataFor, createBusinessCalendar } from '../../domain/calendar';
import { datesAfter, declaredFacts, householdDocuments } from '../../domain/intake';
import { pinBenefit } from '../../domain/catalogue';
import { effectiveFiling } from '../../domain/deadlines';
import { officeDateOf } from '../../domain/dates';
import type { ApplicationInput } from '../../domain/application';
import { submittedRow } from '../../activities/projection';
import type { PrismaClient } from '../../generated/prisma/client';
import { listApplicationRows } from '../../infra/application-list';
import { allocateApplicationNumber } from '../../infra/application-numbers';
import {
  abandonIntake,
  beginIntake,
  bodyHash,
  claimHousehold,
  completeIntake,
  markUncertain,
  releaseHousehold,
} from '../../infra/intake-store';
import type { IntakeBegin } from '../../infra/intake-store';
import type { ReferenceData } from '../../infra/reference-data';
import type { applicationWorkflow } from '../../workflows/application';
import { statusQuery } from '../../workflows/messages';
import { initialSearchAttributes } from '../../workflows/search-attributes';
import { noteAudit } from '../audit';
import { authorize, authorizeCase, authorizeMunicipality } from '../auth';
import { CASE_ACTION_ROUTES } from '../case-actions';
import { decodeApplicationCursor, encodeApplicationCursor } from '../cursors';
import { DEFAULT_CASE_READ_TIMEOUT_SECONDS, HttpError, failedOnQueryBound } from '../errors';
import { applicationParamsRequest, createApplicationRequest, listApplicationsRequest } from '../schemas';
import { parseRequest } from '../validate';
import { z } from 'zod';

const MAX_NUMBER_SKIPS = 20;
/** How long a retried filing waits for the first one with the same Idempotency-Key to finish. */
const IN_PROGRESS_WAIT_MS = 10_000;
const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{8,100}$/;
/** The Idempotency-Key of a request, checked; undefined when it has none. */
function idempotencyKey(req: Request): string | undefined {
  const key = req.get('idempotency-key');
  if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
    throw HttpError.badRequest([
      { field: 'headers.idempotency-key', message: 'must be 8 to 100 letters, digits or _ . : -' },
    ]);
  }
  return key;
}

/** Tolerance between this machine's clock and Temporal's when telling whether a start happened. */
const CLOCK_SKEW_MS = 60_000;
/** Older than any filing still starting its case (the client's start call gives up well before). */
const STALE_CLAIM_MS = 5 * 60_000;

export interface ApplicationsRouterDeps {
  temporal: Client;
  reference: ReferenceData;
  prisma: PrismaClient;
  taskQueue: string;
  /** The office's fallback for unavailable registries (REGISTRY_FALLBACK_HOURS), carried by each case. */
  registryFallbackHours?: number;
  /** Seconds a case action waits for the case to take it (CASE_ACTION_TIMEOUT_SECONDS). */
  caseActionTimeoutSeconds?: number | undefined;
  /** Seconds a read waits for the case's workflow to answer its query (CASE_READ_TIMEOUT_SECONDS). */
  caseReadTimeoutSeconds?: number | undefined;
}

const dateOnly = (d: Date | null): string | null => (d ? d.toISOString().slice(0, 10) : null);

export function createApplicationsRouter(deps: ApplicationsRouterDeps): Router {
  const router = Router();
  const { prisma } = deps;

  /**
   * Allocates the next application number and starts its workflow. A number Temporal already knows means the
   * database's counter is behind Temporal (a database restored from an older backup, say): the number is
   * skipped with a warning rather than failing the filing, a bounded number of times.
   */
  async function startWithNewNumber(
    req: Request,
    municipalityCode: string,
    start: (applicationId: string) => Promise<void>,
  ): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      const applicationId = await allocateApplicationNumber(prisma, municipalityCode, new Date());
      try {
        await start(applicationId);
        return applicationId;
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        req.log.warn({ applicationId }, 'application number already used in Temporal; skipping it');
        if (attempt >= MAX_NUMBER_SKIPS) {
          throw new HttpError(
            409,
            'Application number conflict',
            'The registry counter is behind the workflow store; the office administrator must realign it',
          );
        }
      }
    }
  }

  const householdTaken = (applicationId: string) =>
    new HttpError(
      409,
      'The household already has an open application for this benefit',
      `Application ${applicationId} is open for the same household and benefit`,
      { existingApplicationId: applicationId },
    );

  function created(req: Request, res: Response, applicationId: string, replayed: boolean): void {
    const self = `${req.baseUrl}/${applicationId}`;
    if (replayed) res.setHeader('Idempotent-Replayed', 'true');
    noteAudit(res, 'file', applicationId);
    res.status(201).location(self).json({ applicationId, state: 'submitted', links: { self } });
  }

  /**
   * A filing with the same key is under way: wait for it, briefly, and answer what it answered. `new`: the
   * earlier one failed and gave the key up, so this request is now the filing.
   */
  async function awaitEarlierFiling(staffId: string, key: string, hash: string): Promise<IntakeBegin> {
    const until = Date.now() + IN_PROGRESS_WAIT_MS;
    while (Date.now() < until) {
      await new Promise((r) => setTimeout(r, 100));
      const again = await beginIntake(prisma, staffId, key, hash);
      if (again.kind !== 'in_progress') return again;
    }
    throw new HttpError(409, 'A filing with this Idempotency-Key is still in progress', 'Retry in a moment', {
      retryAfterSeconds: 2,
    });
  }

  router.post('/', async (req, res) => {
    const { body } = parseRequest(createApplicationRequest, req);
    noteAudit(res, 'file');
    const staff = authorizeMunicipality(req, 'file', body.municipalityCode);
    const submittedAt = new Date();
    const dateProblems = datesAfter(body, officeDateOf(submittedAt));
    if (dateProblems.length > 0) throw HttpError.badRequest(dateProblems);

    const key = idempotencyKey(req);
    const hash = bodyHash(req.body);
    // The number of an earlier attempt with this key whose case may or may not have started (markUncertain).
    let uncertain: string | undefined;
    if (key) {
      let begun = await beginIntake(prisma, staff.id, key, hash);
      if (begun.kind === 'in_progress') begun = await awaitEarlierFiling(staff.id, key, hash);
      if (begun.kind === 'different_body') {
        throw new HttpError(
          422,
          'Idempotency-Key reused',
          'This Idempotency-Key was used for a different application; use a new key for a new filing',
        );
      }
      if (begun.kind === 'done') return created(req, res, begun.applicationId, true);
      if (begun.kind === 'uncertain') uncertain = begun.applicationId;
    }

    // Set when Temporal could not say whether this filing's case started: its key is kept, not given up.
    let keepKey = false;
    try {
      const calendar = createBusinessCalendar(deps.reference.calendar, [body.municipalityCode]);
      const filing = effectiveFiling(calendar, submittedAt.toISOString());
      const pinned = pinBenefit(
        deps.reference.catalogue,
        body.municipalityCode,
        body.benefitCode,
        filing.effectiveDate,
      );
      if (!pinned) {
        throw new HttpError(
          422,
          'Benefit not offered',
          `No catalogue version of ${body.benefitCode} is in force in ${body.municipalityCode} on ${filing.effectiveDate}`,
        );
      }
      const documents = householdDocuments(body);
      // Checked before a number is allocated, so that a refused duplicate leaves no gap in the registry book;
      // the claim below settles concurrent filings.
      for (const open of await openApplicationsAmong(documents, body.benefitCode)) {
        if (open !== uncertain && !(await staleClaim(open))) throw householdTaken(open);
      }

      const file = async (applicationId: string) => {
        const holder = await claimHousehold(prisma, body.benefitCode, documents, applicationId);
        if (holder) throw householdTaken(holder);
        const input: ApplicationInput = {
          applicationId,
          municipalityCode: body.municipalityCode,
          benefitCode: body.benefitCode,
          applicant: body.applicant,
          submittedAt: submittedAt.toISOString(),
          effectiveFilingDate: filing.effectiveDate,
          pinned,
          calendar: calendarDataFor(deps.reference.calendar, [body.municipalityCode]),
          consent: body.consent,
          declared: declaredFacts(body.declared, body.household, body.incomes),
          householdMembers: body.household,
          incomes: body.incomes,
          bankAccount: body.bankAccount,
          attachedDocuments: body.attachedDocuments,
          assignee: body.assignee,
          submittedBy: staff.id,
          registryFallbackHours: deps.registryFallbackHours,
        };
        try {
          await deps.temporal.workflow.start<typeof applicationWorkflow>('applicationWorkflow', {
            workflowId: applicationId,
            taskQueue: deps.taskQueue,
            args: [input],
            typedSearchAttributes: initialSearchAttributes(input),
          });
        } catch (err) {
          // The number of an uncertain earlier attempt was allocated to this filing: a case under it is its own.
          if (applicationId === uncertain && err instanceof WorkflowExecutionAlreadyStartedError) return;
          const outcome =
            err instanceof WorkflowExecutionAlreadyStartedError
              ? 'not_started'
              : await startOutcome(applicationId, applicationId === uncertain ? new Date(0) : submittedAt);
          if (outcome === 'unknown') {
            // Only a start known not to have happened frees the household. When Temporal cannot say, the
            // claim stays; a retry with the same key settles this number, and a later filing of the household
            // without it checks the claim again (staleClaim).
            if (key) {
              await markUncertain(prisma, staff.id, key, applicationId);
              keepKey = true;
            }
            throw err;
          }
          if (outcome === 'not_started') {
            await releaseHousehold(prisma, applicationId);
            throw err;
          }
          // The start reached Temporal but its answer was lost (a timeout, a dropped connection): the case
          // exists, so this filing succeeded. Answering an error would have the staff file it again.
          req.log.warn({ err, applicationId }, 'workflow start answered an error but the case started');
        }
        // Listed from now on, whatever the worker's backlog; registration completes the row (or writes it,
        // should this write be lost: the workflow is the source of truth).
        await prisma.application
          .createMany({ data: [submittedRow(input)], skipDuplicates: true })
          .catch((err: unknown) =>
            req.log.warn({ err, applicationId }, 'filing row not written; registration will'),
          );
      };
      let applicationId: string;
      if (uncertain) {
        await file(uncertain);
        applicationId = uncertain;
      } else applicationId = await startWithNewNumber(req, body.municipalityCode, file);
      if (key) await completeIntake(prisma, staff.id, key, applicationId);
      created(req, res, applicationId, false);
    } catch (err) {
      if (key && !keepKey) await abandonIntake(prisma, staff.id, key);
      throw err;
    }
  });

  /**
   * Whether a workflow start that answered an error happened all the same: the number was allocated for this
   * filing, so a case under it started since `since` is this filing's. `unknown` when Temporal cannot be asked
   * either.
   */
  async function startOutcome(
    applicationId: string,
    since: Date,
  ): Promise<'started' | 'not_started' | 'unknown'> {
    try {
      const found = await deps.temporal.workflow.getHandle(applicationId).describe();
      return found.startTime.getTime() >= since.getTime() - CLOCK_SKEW_MS ? 'started' : 'not_started';
    } catch (err) {
      return err instanceof WorkflowNotFoundError ? 'not_started' : 'unknown';
    }
  }

  /**
   * A household claim whose case was never listed and that Temporal does not know was left by a filing whose
   * start failed while Temporal could not say whether it had started (startOutcome `unknown`): it is released
   * here so that the household can apply. Claims younger than STALE_CLAIM_MS belong to filings that may still
   * be starting their case and are never touched.
   */
  async function staleClaim(applicationId: string): Promise<boolean> {
    const [row, claim] = await Promise.all([
      prisma.application.findUnique({ where: { id: applicationId }, select: { id: true } }),
      prisma.householdClaim.findFirst({ where: { applicationId }, orderBy: { claimedAt: 'desc' } }),
    ]);
    if (row || !claim || Date.now() - claim.claimedAt.getTime() < STALE_CLAIM_MS) return false;
    try {
      await deps.temporal.workflow.getHandle(applicationId).describe();
      return false;
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
    await releaseHousehold(prisma, applicationId);
    return true;
  }

  /** Of the applications claiming any of these documents for the benefit, the ones not closed. */
  async function openApplicationsAmong(documents: string[], benefitCode: string): Promise<string[]> {
    const claims = await prisma.householdClaim.findMany({
      where: { benefitCode, document: { in: documents } },
      select: { applicationId: true },
    });
    if (claims.length === 0) return [];
    const ids = [...new Set(claims.map((c) => c.applicationId))];
    const closed = await prisma.application.findMany({
      where: { id: { in: ids }, closedAt: { not: null } },
      select: { id: true },
    });
    return ids.filter((id) => !closed.some((c) => c.id === id));
  }

  router.get('/', async (req, res) => {
    const { query } = parseRequest(listApplicationsRequest, req);
    noteAudit(res, 'list');
    const staff = authorize(req, 'read');
    if (query.municipality && !worksFor(staff, query.municipality)) {
      throw HttpError.forbidden(`You do not work for municipality ${query.municipality}`);
    }
    const after = query.cursor ? decodeApplicationCursor(query.cursor) : undefined;
    // Municipalities wholly before the cursor have nothing left for this page.
    const municipalities = (query.municipality ? [query.municipality] : [...staff.municipalities]).filter(
      (m) => !after || m >= municipalityOfApplication(after),
    );
    const rows = await listApplicationRows(prisma, {
      municipalities,
      filters: {
        state: query.state,
        benefitCode: query.benefit,
        assignee: query.assignee,
        deadlineBefore: query.deadlineBefore,
        blocked: query.blocked === undefined ? undefined : query.blocked === 'true',
      },
      after,
      take: query.limit + 1,
    });
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    res.json({
      items: page.map((a) => ({
        applicationId: a.id,
        municipalityCode: a.municipality_code,
        benefitCode: a.benefit_code,
        state: a.state,
        applicantName: a.applicant_name,
        assignee: a.assignee,
        submittedAt: a.submitted_at.toISOString(),
        nextDeadline: dateOnly(a.next_deadline),
        blockedOn: a.blocked_on,
        updatedAt: a.updated_at.toISOString(),
      })),
      nextCursor: rows.length > query.limit && last ? encodeApplicationCursor(last.id) : null,
    });
  });

  router.get('/:id', async (req, res) => {
    const { params } = parseRequest(applicationParamsRequest, req);
    noteAudit(res, 'read', params.id);
    authorizeCase(req, 'read', params.id);
    const [status, view] = await Promise.all([
      liveStatus(params.id),
      prisma.application.findUnique({ where: { id: params.id } }),
    ]);
    res.json({
      ...status,
      projection: view
        ? {
            state: view.state,
            updatedAt: view.updatedAt.toISOString(),
            nextDeadline: dateOnly(view.nextDeadline),
            blockedOn: view.blockedOn,
          }
        : null,
    });
  });

  /**
   * The case's status from its workflow, bounded: with no worker processing the case (down, restarting,
   * overloaded), Temporal holds the query until its own deadline (30 s on the dev server), and a person is
   * better told at once that the case cannot be read now.
   */
  async function liveStatus(id: string) {
    const timeoutSeconds = deps.caseReadTimeoutSeconds ?? DEFAULT_CASE_READ_TIMEOUT_SECONDS;
    const deadline = Date.now() + timeoutSeconds * 1000;
    try {
      return await deps.temporal.connection.withDeadline(deadline, () =>
        deps.temporal.workflow.getHandle(id).query(statusQuery),
      );
    } catch (err) {
      if (failedOnQueryBound(err, deadline)) {
        throw HttpError.unavailable(
          `Application ${id} did not answer within ${timeoutSeconds} s: its workflow is not being processed ` +
            'now (the workers are busy or restarting). Nothing is lost; read it again in a moment.',
          10,
        );
      }
      throw err;
    }
  }

  /** The case must exist (in the projection) for its reads; another municipality's case does not. */
  async function projected(id: string) {
    const view = await prisma.application.findUnique({ where: { id }, select: { id: true } });
    if (!view) throw HttpError.notFound('No such application');
  }

  router.get('/:id/deadlines', async (req, res) => {
    const { params } = parseRequest(applicationParamsRequest, req);
    noteAudit(res, 'read_deadlines', params.id);
    authorizeCase(req, 'read', params.id);
    await projected(params.id);
    const rows = await prisma.applicationDeadline.findMany({
      where: { applicationId: params.id },
      orderBy: { dueDate: 'asc' },
    });
    res.json({
      applicationId: params.id,
      deadlines: rows.map((d) => ({
        kind: d.kind,
        dueDate: dateOnly(d.dueDate),
        legalBasis: d.legalBasis,
        provisional: d.provisional,
        pausedSince: dateOnly(d.pausedSince),
      })),
    });
  });

  router.get('/:id/history', async (req, res) => {
    const { params } = parseRequest(applicationParamsRequest, req);
    noteAudit(res, 'read_history', params.id);
    authorizeCase(req, 'read', params.id);
    await projected(params.id);
    const rows = await prisma.applicationEvent.findMany({
      where: { applicationId: params.id },
      orderBy: [{ occurredAt: 'asc' }, { id: 'asc' }],
    });
    res.json({
      applicationId: params.id,
      events: rows.map((e) => ({
        at: e.occurredAt.toISOString(),
        type: e.type,
        from: e.fromState,
        to: e.toState,
        actor: e.actor,
        ...(e.detail === null ? {} : { detail: e.detail }),
      })),
    });
  });

  router.get('/:id/notes', async (req, res) => {
    const { params } = parseRequest(applicationParamsRequest, req);
    noteAudit(res, 'read_notes', params.id);
    authorizeCase(req, 'read_notes', params.id);
    await projected(params.id);
    const rows = await prisma.professionalNote.findMany({
      where: { applicationId: params.id },
      orderBy: { createdAt: 'asc' },
    });
    res.json({
      applicationId: params.id,
      notes: rows.map((n) => ({
        id: n.id,
        kind: n.kind,
        author: n.authorId,
        text: n.text,
        at: n.createdAt.toISOString(),
      })),
    });
  });

  /**
   * Runs a case action. A case whose workflow has completed is closed: the server refuses updates to it as
   * if it did not exist, so that answer is told apart from a case that never existed. The wait is bounded:
   * with no worker processing the case, Temporal keeps the update waiting and the client would ask forever.
   * `updateId` (from the request's Idempotency-Key) makes a repeated request wait for the same update, whose
   * outcome Temporal keeps, instead of sending the action again.
   */
  async function caseAction(
    id: string,
    update: UpdateDefinition<unknown, [never]>,
    arg: unknown,
    updateId: string | undefined,
  ) {
    const handle = deps.temporal.workflow.getHandle(id);
    const timeoutSeconds = deps.caseActionTimeoutSeconds ?? 30;
    try {
      return await deps.temporal.connection.withDeadline(Date.now() + timeoutSeconds * 1000, () =>
        handle.executeUpdate(update as UpdateDefinition<unknown, [unknown]>, {
          args: [arg],
          ...(updateId ? { updateId } : {}),
        }),
      );
    } catch (err) {
      if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
        throw HttpError.unavailable(
          `Application ${id} did not take the action within ${timeoutSeconds} s: its workflow is not being ` +
            'processed now. The action is kept and may still be carried out, and the case does not show it until ' +
            'then: repeat the request with the same Idempotency-Key to get its outcome; sent again without one, ' +
            'it may be carried out twice.',
          10,
        );
      }
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      const description = await handle.describe(); // throws WorkflowNotFoundError (404) when it never existed
      if (description.status.name === 'RUNNING') throw err;
      throw new HttpError(409, 'Action not allowed in the current state', `Application ${id} is closed`, {
        rejection: RejectionType.InvalidTransition,
      });
    }
  }

  for (const action of CASE_ACTION_ROUTES) {
    const schema = z.object({ params: applicationParamsRequest.shape.params, body: action.body });
    router.post(`/:id/${action.path}`, async (req, res) => {
      const { params, body } = parseRequest(schema, req);
      noteAudit(res, action.permission, params.id);
      const staff = authorizeCase(req, action.permission, params.id);
      const key = idempotencyKey(req);
      const arg = action.args(body, staff) as { assignee?: string; report?: string };
      if (action.permission === 'reassign' && arg.assignee) {
        await requireColleague(arg.assignee, municipalityOfApplication(params.id));
      }
      // The report is a professional note: kept apart, so that administrative staff never read it.
      const noteId = action.permission === 'submit_assessment' && arg.report ? randomUUID() : undefined;
      if (noteId && arg.report) {
        await prisma.professionalNote.create({
          data: {
            id: noteId,
            applicationId: params.id,
            authorId: staff.id,
            kind: 'assessment_report',
            text: arg.report,
          },
        });
      }
      try {
        // Scoped to the person and the action: two people's keys, or one key reused for another action, never
        // meet.
        const updateId = key ? `${action.path}:${staff.id}:${key}` : undefined;
        res.json(await caseAction(params.id, action.update, arg, updateId));
      } catch (err) {
        // Refused: the report was not taken, so its note goes too.
        if (noteId) await prisma.professionalNote.deleteMany({ where: { id: noteId } });
        throw err;
      }
    });
  }

  /** A case is assigned only to an active staff member of its municipality. */
  async function requireColleague(assignee: string, municipalityCode: string): Promise<void> {
    const colleague = await prisma.staffMember.findUnique({ where: { id: assignee } });
    if (!colleague?.active || !colleague.municipalities.includes(municipalityCode)) {
      throw HttpError.badRequest([
        {
          field: 'body.assignee',
          message: `is not an active staff member of municipality ${municipalityCode}`,
        },
      ]);
    }
  }

  return router;
}
