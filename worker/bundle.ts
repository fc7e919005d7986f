/**
 * Bundles the workflow code once, at build time (`npm run build` runs it), into dist/worker/workflow-bundle.js:
 * the built worker then loads it instead of running webpack at every start, which took seconds and left
 * hundreds of MiB of the bundler's memory in the worker's resident set for its whole life.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { workflowBundleOptions } from './bundle-options';
import { PREBUILT_BUNDLE } from './worker';

async function main(): Promise<void> {
  const { code } = await bundleWorkflowCode(workflowBundleOptions(require.resolve('../workflows')));
  writeFileSync(PREBUILT_BUNDLE, code);
  process.stdout.write(
    `workflow bundle: ${path.relative(process.cwd(), PREBUILT_BUNDLE)} (${Math.round(code.length / 1024)} KiB)\n`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
