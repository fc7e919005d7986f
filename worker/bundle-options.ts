/**
 * How the workflow code is bundled, the same wherever it is: the build's prebuilt bundle, a worker running from
 * source, the repairs' replayer, the tests and the benchmarks. Only the SDK's types are imported here, so the
 * API's replayer can use it without loading the worker.
 */
import type { BundleOptions } from '@temporalio/worker';

const noop = (): void => undefined;
/** The bundler reports every module at INFO; only its problems are worth a log line. */
const quietBundlerLogger = {
  log: noop,
  trace: noop,
  debug: noop,
  info: noop,
  warn: console.error,
  error: console.error,
};

/**
 * Modules loaded once per workflow thread and shared by all its workflows (the SDK's `preloadModules`),
 * instead of instantiated again for every workflow the worker creates: each new case, and each case replayed
 * after its eviction from the cache when a timer wakes it. The office's date arithmetic (`domain/dates`)
 * brings the date libraries it stands on, 316 of the bundle's 415 modules: instantiating them for every
 * workflow was about a tenth of the workflow thread's time while thousands of deadlines fell due (bench
 * `timers`), and about a third of a cached workflow's memory. (The libraries cannot be named here themselves:
 * date-fns declares itself free of side effects, so the bundler drops a preload whose exports nothing uses.)
 *
 * Only stateless modules belong here: a shared module's exports are frozen, and whatever it keeps in module
 * scope is shared by every workflow of the thread. `domain/dates` exports functions and one string; date-fns
 * keeps nothing a workflow sets (its default options are never changed here); @date-fns/tz memoises
 * time-zone offsets, a pure function of its inputs. Other domain modules export constants (tables, lists) that
 * would be frozen too, and one a workflow sorted or extended in place would fail that workflow's task: they are
 * left out on purpose.
 */
export const SHARED_WORKFLOW_MODULES = [require.resolve('../domain/dates')];

/** The options for bundling the workflows found at `workflowsPath` (`bundleWorkflowCode`). */
export function workflowBundleOptions(workflowsPath: string): BundleOptions {
  return { workflowsPath, logger: quietBundlerLogger, preloadModules: SHARED_WORKFLOW_MODULES };
}

/** The same, for a worker or replayer given `workflowsPath` and bundling by itself. */
export const workflowBundlerOptions = { preloadModules: SHARED_WORKFLOW_MODULES };
