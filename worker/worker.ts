/**
 * The Temporal worker: the application workflows and the activities that do their I/O.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { NativeConnection, Worker, bundleWorkflowCode } from '@temporalio/worker';
import type { WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import type { ActivityDeps } from '../activities';
import type { Config } from '../adapters/config';
import { dataConverterFor } from '../adapters/payload-codec';
import { workflowBundleOptions } from './bundle-options';

export interface WorkerSetup {
  config: Pick<
    Config,
    | 'TEMPORAL_ADDRESS'
    | 'TEMPORAL_NAMESPACE'
    | 'TASK_QUEUE'
    | 'WORKER_MAX_CACHED_WORKFLOWS'
    | 'WORKER_MAX_CONCURRENT_ACTIVITIES'
  > &
    Partial<Pick<Config, 'PAYLOAD_ENCRYPTION_KEYS'>>;
  deps: ActivityDeps;
  connection?: NativeConnection;
  /**
   * A prebuilt bundle (tests build one per suite); otherwise the one `npm run build` wrote beside the built
   * worker, or, running from source, the workflows are bundled at start.
   */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

/** The workflow bundle `npm run build` writes beside the built worker (absent when running from source). */
export const PREBUILT_BUNDLE = path.join(__dirname, 'workflow-bundle.js');

export async function createWorker({
  config,
  deps,
  connection,
  workflowBundle,
}: WorkerSetup): Promise<Worker> {
  const bundle =
    workflowBundle ??
    (existsSync(PREBUILT_BUNDLE)
      ? { codePath: PREBUILT_BUNDLE }
      : await bundleWorkflowCode(workflowBundleOptions(require.resolve('../workflows'))));
  const dataConverter = dataConverterFor(config.PAYLOAD_ENCRYPTION_KEYS);
  const native = connection ?? (await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS }));
  return Worker.create({
    ...(dataConverter ? { dataConverter } : {}),
    connection: native,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TASK_QUEUE,
    workflowBundle: bundle,
    // Retention deletes the cases' histories through the worker's own connection, in its namespace.
    activities: createActivities({
      ...deps,
      temporal: deps.temporal ?? {
        workflowService: native.workflowService,
        namespace: config.TEMPORAL_NAMESPACE,
      },
    }),
    maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
    maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
  });
}
