import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode } from '@temporalio/worker';
import { registerSearchAttributes } from '../../adapters/temporal/search-attributes';
import { APPLICATION_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { workflowBundleOptions } from '../../worker/bundle-options';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { testEnv } from './env';

/**
 * The time-skipping test server (Java, fetched from Maven Central by the bootstrap), with the application
 * workflow's search attributes registered as the start command registers them on a real cluster.
 */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: testEnv('OGPS_TEST_SERVER_PATH') } },
  });
  await registerSearchAttributes(env.connection, env.namespace ?? 'default', APPLICATION_SEARCH_ATTRIBUTES);
  return env;
}

/** Bundles workflow code once per suite; every worker of the suite reuses it. */
export function bundleWorkflows(
  entry = path.resolve(__dirname, '..', '..', 'workflows'),
): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode(workflowBundleOptions(require.resolve(entry)));
}

/** A task queue of its own for each test, so that workers of different tests never share work. */
export function uniqueTaskQueue(prefix = 'test'): string {
  return `${prefix}-${randomUUID()}`;
}
