import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode } from '@temporalio/worker';
import { quietBundlerLogger } from '../../worker/worker';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { testEnv } from './env';

/** The time-skipping test server (Java, fetched from Maven Central by the bootstrap). */
export function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: testEnv('OGPS_TEST_SERVER_PATH') } },
  });
}

/** Bundles workflow code once per suite; every worker of the suite reuses it. */
export function bundleWorkflows(
  entry = path.resolve(__dirname, '..', '..', 'workflows'),
): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath: require.resolve(entry), logger: quietBundlerLogger });
}

/** A task queue of its own for each test, so that workers of different tests never share work. */
export function uniqueTaskQueue(prefix = 'test'): string {
  return `${prefix}-${randomUUID()}`;
}
