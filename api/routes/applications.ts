import { Router } from 'express';
import type { Request } from 'express';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import type { Client } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { RejectionType } from '../../domain/errors';
import { HttpError } from '../errors';
import { calendarDataFor, createBusinessCalendar } from '../../domain/calendar';
import { declaredFacts } from '../../domain/intake';
import { pinBenefit } from '../../domain/catalogue';
import { effectiveFiling } from '../../domain/deadlines';
import type { ReferenceData } from '../../infra/reference-data';
import type { applicationWorkflow } from '../../workflows/application';
import { statusQuery, withdrawUpdate } from '../../workflows/messages';
import { initialSearchAttributes } from '../../workflows/search-attributes';
import type { ApplicationInput } from '../../domain/application';
import type { PrismaClient } from '../../generated/prisma/client';
import { allocateApplicationNumber } from '../../infra/application-numbers';
import { applicationParamsRequest, createApplicationRequest, withdrawRequest } from '../schemas';
import { parseRequest } from '../validate';

const MAX_NUMBER_SKIPS = 20;

export interface ApplicationsRouterDeps {
  temporal: Client;
  reference: ReferenceData;
  prisma: PrismaClient;
  taskQueue: string;
  /** The office's fallback for unavailable registries (REGISTRY_FALLBACK_HOURS), carried by each case. */
  registryFallbackHours?: number;
  /** The staff member acting; authentication replaces this in the API issue. */
  actorOf?: (req: Request) => string;
}

export function createApplicationsRouter(deps: ApplicationsRouterDeps): Router {
  const router = Router();
  const actorOf = deps.actorOf ?? (() => 'staff');

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
      const applicationId = await allocateApplicationNumber(deps.prisma, municipalityCode, new Date());
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

  router.post('/', async (req, res) => {
    const { body } = parseRequest(createApplicationRequest, req);
    const submittedAt = new Date();
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
    const applicationId = await startWithNewNumber(req, body.municipalityCode, async (applicationId) => {
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
        declared: declaredFacts(body.declared),
        attachedDocuments: body.attachedDocuments,
        assignee: body.assignee,
        submittedBy: actorOf(req),
        registryFallbackHours: deps.registryFallbackHours,
      };
      await deps.temporal.workflow.start<typeof applicationWorkflow>('applicationWorkflow', {
        workflowId: applicationId,
        taskQueue: deps.taskQueue,
        args: [input],
        typedSearchAttributes: initialSearchAttributes(input),
      });
    });
    const self = `${req.baseUrl}/${applicationId}`;
    res.status(201).location(self).json({ applicationId, state: 'submitted', links: { self } });
  });

  router.get('/:id', async (req, res) => {
    const { params } = parseRequest(applicationParamsRequest, req);
    const status = await deps.temporal.workflow.getHandle(params.id).query(statusQuery);
    res.json(status);
  });

  /**
   * Runs a case action. A case whose workflow has completed is closed: the server refuses updates to it as
   * if it did not exist, so that answer is told apart from a case that never existed.
   */
  async function caseAction<Ret, Args extends [unknown, ...unknown[]]>(
    id: string,
    update: UpdateDefinition<Ret, Args>,
    args: Args,
  ): Promise<Ret> {
    const handle = deps.temporal.workflow.getHandle(id);
    try {
      return await handle.executeUpdate(update, { args });
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      const description = await handle.describe(); // throws WorkflowNotFoundError (404) when it never existed
      if (description.status.name === 'RUNNING') throw err;
      throw new HttpError(409, 'Action not allowed in the current state', `Application ${id} is closed`, {
        rejection: RejectionType.InvalidTransition,
      });
    }
  }

  router.post('/:id/withdraw', async (req, res) => {
    const { params, body } = parseRequest(withdrawRequest, req);
    res.json(await caseAction(params.id, withdrawUpdate, [{ actor: body.actor, reason: body.reason }]));
  });

  return router;
}
