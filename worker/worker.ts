/**
 * The Temporal worker: the application workflows and the activities that do their I/O.
 */
import { NativeConnection, Worker, bundleWorkflowCode } from '@temporalio/worker';
import type { WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import type { ActivityDeps } from '../activities';
import type { Config } from '../infra/config';

export interface WorkerSetup {
  config: Pick<
    Config,
    | 'TEMPORAL_ADDRESS'
    | 'TEMPORAL_NAMESPACE'
    | 'TASK_QUEUE'
    | 'WORKER_MAX_CACHED_WORKFLOWS'
    | 'WORKER_MAX_CONCURRENT_ACTIVITIES'
  >;
  deps: ActivityDeps;
  connection?: NativeConnection;
  /** A prebuilt bundle (tests build one per suite); otherwise the workflows are bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

const noop = (): void => undefined;
/** The bundler reports every module at INFO; only its problems are worth a log line. */
export const quietBundlerLogger = {
  log: noop,
  trace: noop,
  debug: noop,
  info: noop,
  warn: console.error,
  error: console.error,
};

export async function createWorker({
  config,
  deps,
  connection,
  workflowBundle,
}: WorkerSetup): Promise<Worker> {
  const bundle =
    workflowBundle ??
    (await bundleWorkflowCode({
      workflowsPath: require.resolve('../workflows'),
      logger: quietBundlerLogger,
    }));
  return Worker.create({
    connection: connection ?? (await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS })),
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TASK_QUEUE,
    workflowBundle: bundle,
    activities: createActivities(deps),
    maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
    maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
  });
}
