/**
 * The one way the API's services reach a case's workflow in Temporal: start it, read it within a bound, run
 * an update within a bound, describe it, read or reset its history, delete it. Each bounded call says what a
 * person is told when the case does not answer in time (503 with Retry-After: nothing is lost, ask again),
 * once, here.
 *
 * Why bounds: with no worker processing the case (down, restarting, overloaded), Temporal holds a query
 * until its own deadline (30 s on the dev server) and an update for as long as the client waits, which
 * without a bound is forever.
 *
 * Generic over the workflow's message definitions (workflows/messages.ts): the services pass them in, so this
 * adapter depends on no workflow code.
 */
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
import type { QueryDefinition, SearchAttributePair, UpdateDefinition } from '@temporalio/common';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import type { temporal } from '@temporalio/proto';
import type Long from 'long';
import { AppError, RejectionType } from '../../domain/errors';
import { failedOnQueryBound } from './errors';

type History = temporal.api.history.v1.IHistory;

/** How long a read of a case waits for its workflow when not configured (CASE_READ_TIMEOUT_SECONDS's default). */
export const DEFAULT_CASE_READ_TIMEOUT_SECONDS = 10;
/** How long an action waits for the case to take it when not configured (CASE_ACTION_TIMEOUT_SECONDS's default). */
export const DEFAULT_CASE_ACTION_TIMEOUT_SECONDS = 30;
/** What a person is told to wait before asking a case again that did not answer in time. */
const RETRY_AFTER_SECONDS = 10;

export interface CaseClientOptions {
  /** The task queue cases are started on (TASK_QUEUE). */
  taskQueue: string;
  /** Seconds a read waits for the case's workflow to answer (CASE_READ_TIMEOUT_SECONDS). */
  readTimeoutSeconds?: number | undefined;
  /** Seconds an action waits for the case to take it (CASE_ACTION_TIMEOUT_SECONDS). */
  actionTimeoutSeconds?: number | undefined;
}

/** A bounded read that did not get its answer in time: said, not thrown (see `tryRead`). */
export interface ReadTimedOut {
  timedOutAfterSeconds: number;
}

export class CaseClient {
  readonly readTimeoutSeconds: number;
  readonly actionTimeoutSeconds: number;

  constructor(
    readonly temporal: Client,
    readonly options: CaseClientOptions,
  ) {
    this.readTimeoutSeconds = options.readTimeoutSeconds ?? DEFAULT_CASE_READ_TIMEOUT_SECONDS;
    this.actionTimeoutSeconds = options.actionTimeoutSeconds ?? DEFAULT_CASE_ACTION_TIMEOUT_SECONDS;
  }

  get namespace(): string {
    return this.temporal.options.namespace;
  }

  /**
   * Starts a workflow under `id` on the cases' task queue. Throws WorkflowExecutionAlreadyStartedError when
   * the id is taken, unless `useExisting` asks for the running one instead (then its first run is returned).
   */
  async start(
    workflowType: string,
    id: string,
    args: unknown[],
    opts: { searchAttributes?: SearchAttributePair[]; useExisting?: boolean } = {},
  ): Promise<string | undefined> {
    try {
      const handle = await this.temporal.workflow.start(workflowType, {
        workflowId: id,
        taskQueue: this.options.taskQueue,
        args,
        ...(opts.searchAttributes ? { typedSearchAttributes: opts.searchAttributes } : {}),
        // The server answers the running execution instead of refusing the start.
        ...(opts.useExisting ? { workflowIdConflictPolicy: 'USE_EXISTING' as const } : {}),
      });
      return handle.firstExecutionRunId;
    } catch (err) {
      // Servers without conflict policies (older ones) refuse a second start instead.
      if (opts.useExisting && err instanceof WorkflowExecutionAlreadyStartedError) return undefined;
      throw err;
    }
  }

  /**
   * Queries the case, waiting at most the read bound (or until `deadline`, ms since the epoch). A case that
   * did not answer in time is said, not thrown; anything else the query throws is thrown.
   */
  async tryRead<T>(
    id: string,
    query: QueryDefinition<T>,
    deadline = Date.now() + this.readTimeoutSeconds * 1000,
  ): Promise<{ value: T } | ReadTimedOut> {
    try {
      const value = await this.temporal.connection.withDeadline(deadline, () =>
        this.temporal.workflow.getHandle(id).query(query),
      );
      return { value };
    } catch (err) {
      if (failedOnQueryBound(err, deadline)) return { timedOutAfterSeconds: this.readTimeoutSeconds };
      throw err;
    }
  }

  /** Queries the case within the read bound; 503 with Retry-After when it did not answer in time. */
  async read<T>(id: string, query: QueryDefinition<T>): Promise<T> {
    const result = await this.tryRead(id, query);
    if ('value' in result) return result.value;
    throw AppError.unavailable(
      `Application ${id} did not answer within ${result.timedOutAfterSeconds} s: its workflow is not being ` +
        'processed now (the workers are busy or restarting). Nothing is lost; read it again in a moment.',
      RETRY_AFTER_SECONDS,
    );
  }

  /**
   * Runs an update and waits for its outcome, at most the action bound (or until `deadline`). `updateId` (from
   * a request's Idempotency-Key) makes a repeated call wait for the same update, whose outcome Temporal
   * keeps, instead of sending the action again. A case whose workflow has completed is closed: the server
   * refuses updates to it as if it did not exist, so that answer (409) is told apart from a case that never
   * existed (WorkflowNotFoundError). Business rejections come as WorkflowUpdateFailedError.
   */
  async update<Ret, Arg>(
    id: string,
    update: UpdateDefinition<Ret, [Arg]>,
    arg: Arg,
    opts: { updateId?: string | undefined; deadline?: number | undefined } = {},
  ): Promise<Ret> {
    const handle = this.temporal.workflow.getHandle(id);
    const deadline = opts.deadline ?? Date.now() + this.actionTimeoutSeconds * 1000;
    const seconds = Math.max(1, Math.round((deadline - Date.now()) / 1000));
    try {
      return await this.temporal.connection.withDeadline(deadline, () =>
        handle.executeUpdate(update, { args: [arg], ...(opts.updateId ? { updateId: opts.updateId } : {}) }),
      );
    } catch (err) {
      if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
        throw new AppError(
          503,
          'Service unavailable',
          `Application ${id} did not take the action within ${seconds} s: its workflow is not being ` +
            'processed now. The action is kept and may still be carried out, and the case does not show it until ' +
            'then: repeat the request with the same Idempotency-Key to get its outcome; sent again without one, ' +
            'it may be carried out twice.',
          { retryAfterSeconds: RETRY_AFTER_SECONDS },
        );
      }
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      const description = await handle.describe(); // throws WorkflowNotFoundError (404) when it never existed
      if (description.status.name === 'RUNNING') throw err;
      throw AppError.conflict('Action not allowed in the current state', `Application ${id} is closed`, {
        rejection: RejectionType.InvalidTransition,
      });
    }
  }

  /** What Temporal says of the case's current run; undefined when no workflow of that id exists. */
  async describe(id: string): Promise<WorkflowExecutionDescription | undefined> {
    try {
      return await this.temporal.workflow.getHandle(id).describe();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    }
  }

  /** The history of the case's current run, or of `runId`. */
  fetchHistory(id: string, runId?: string): Promise<History> {
    return this.temporal.workflow.getHandle(id, runId).fetchHistory();
  }

  /** The workflow's first argument (the application as filed), decoded with the client's data converter. */
  decodeInput(history: History): Promise<unknown> {
    const payloads =
      history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? undefined;
    return decodeFromPayloadsAtIndex(this.temporal.options.loadedDataConverter, 0, payloads);
  }

  /**
   * Resets a run to the end of the workflow task completed at `workflowTaskFinishEventId`, re-applying every
   * signal and update received after it. `requestId` makes a repeated reset answer the same new run.
   */
  async reset(
    id: string,
    runId: string,
    opts: { workflowTaskFinishEventId: Long; requestId: string; reason: string; identity: string },
  ): Promise<string> {
    const { runId: newRunId } = await this.temporal.workflowService.resetWorkflowExecution({
      namespace: this.namespace,
      workflowExecution: { workflowId: id, runId },
      reason: opts.reason,
      workflowTaskFinishEventId: opts.workflowTaskFinishEventId,
      requestId: opts.requestId,
      resetReapplyExcludeTypes: [],
      identity: opts.identity,
    });
    return newRunId ?? '';
  }
}
