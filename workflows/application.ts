/**
 * One workflow per application (expedient), from submission to archive. The workflow is the source of
 * truth for the case; every state change is projected into PostgreSQL by activities.
 */
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { ApplicationInput, ApplicationState, ApplicationStatus } from '../domain/application';
import { isClosed } from '../domain/application';
import { RejectionType } from '../domain/errors';
import { statusQuery, withdrawUpdate } from './messages';

type Activities = ReturnType<typeof createActivities>;

// Projection writes are short, idempotent database statements: retried for as long as the database is
// away (no maximum attempts), so that an outage delays the projection but never loses a step.
const projection = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** The workflow's clock: inside the workflow sandbox `Date` is the deterministic time of the current task. */
function now(): string {
  return new Date().toISOString();
}

export async function applicationWorkflow(input: ApplicationInput): Promise<ApplicationStatus> {
  const status: ApplicationStatus = {
    applicationId: input.applicationId,
    municipalityCode: input.municipalityCode,
    benefitCode: input.benefitCode,
    state: 'submitted',
    submittedAt: input.submittedAt,
    effectiveFilingDate: input.effectiveFilingDate,
    catalogueVersion: input.pinned.version,
    history: [{ at: input.submittedAt, type: 'submitted', to: 'submitted', actor: input.submittedBy }],
  };
  // Keys for projected events: stable across activity retries and workflow replays, unique per step.
  let eventSeq = 0;
  const nextEventKey = (type: string): string => `${workflowInfo().runId}:${++eventSeq}:${type}`;

  async function transition(
    to: ApplicationState,
    type: string,
    actor?: string,
    note?: string,
  ): Promise<void> {
    const from = status.state;
    const at = now();
    status.state = to;
    if (isClosed(to)) status.closedAt = at;
    status.history.push({ at, type, from, to, actor, note });
    await projection.recordTransition({
      applicationId: input.applicationId,
      eventKey: nextEventKey(type),
      type,
      from,
      to,
      actor,
      note,
      at,
    });
  }

  setHandler(statusQuery, () => status);

  setHandler(
    withdrawUpdate,
    async ({ actor, reason }) => {
      // A withdrawal filed while the entry is still being recorded waits for it: the projection's event
      // needs the application row, and the registration must not overwrite the withdrawal.
      await condition(() => status.state !== 'submitted');
      if (isClosed(status.state)) return status;
      await transition('withdrawn', 'withdrawn', actor, reason);
      return status;
    },
    {
      validator: ({ actor }) => {
        if (isClosed(status.state)) {
          throw ApplicationFailure.create({
            type: RejectionType.InvalidTransition,
            message: `Application ${input.applicationId} is already ${status.state}`,
            nonRetryable: true,
          });
        }
        if (!actor) {
          throw ApplicationFailure.create({
            type: RejectionType.InvalidInput,
            message: 'A withdrawal must name who records it',
            nonRetryable: true,
          });
        }
      },
    },
  );

  // Registration (art. 16): the entry is recorded before anything else happens to the case.
  const registeredAt = now();
  await projection.recordApplication({ ...input, eventKey: nextEventKey('registered'), registeredAt });
  status.registeredAt = registeredAt;
  status.state = 'registered';
  status.history.push({ at: registeredAt, type: 'registered', from: 'submitted', to: 'registered' });

  await condition(() => isClosed(status.state));
  await condition(allHandlersFinished);
  return status;
}
