/**
 * The repairs' replayer (services/repair.ts): replays histories with the code the workers run, in the API's
 * process. The worker package (and its native core) is loaded on first use only: repairs are rare.
 */
import type { DataConverter } from '@temporalio/common';
import type { WorkflowBundleOption } from '@temporalio/worker';
import { temporalLogger } from '../adapters/logger';
import type { Logger } from '../adapters/logger';
import type { HistoryReplayer } from '../adapters/temporal/replay';
import { workflowBundlerOptions } from './bundle-options';

/** Where the replayer finds the workflow code: the bundle the workers run, and their data converter. */
export interface ReplayerSetup {
  workflowBundle?: WorkflowBundleOption;
  /** Bundled on first use when no bundle is given (running from source). */
  workflowsPath?: string;
  /** The workers' data converter: histories hold encrypted payloads. */
  dataConverter?: DataConverter | undefined;
  /**
   * The process's logger, for the SDK runtime the replay starts (otherwise it logs through its own console
   * logger). Installed on first use, unless the process already runs a Temporal runtime of its own.
   */
  logger?: Logger | undefined;
}

/** Whether a replayer has installed the process's logger in the SDK runtime (once per process). */
let runtimeInstalled = false;

/** A replayer over the workers' code. */
export function createHistoryReplayer(setup: ReplayerSetup): HistoryReplayer {
  return async function* replay(histories) {
    const { Runtime, Worker } = await import('@temporalio/worker');
    if (setup.logger && !runtimeInstalled) {
      runtimeInstalled = true;
      try {
        Runtime.install({ logger: temporalLogger(setup.logger) });
      } catch {
        // A runtime already exists in this process (tests run workers beside the API): it keeps its logger.
      }
    }
    const options = setup.workflowBundle
      ? { workflowBundle: setup.workflowBundle }
      : { workflowsPath: setup.workflowsPath, bundlerOptions: workflowBundlerOptions };
    const results = Worker.runReplayHistories(
      {
        ...options,
        ...(setup.dataConverter ? { dataConverter: setup.dataConverter } : {}),
        replayName: 'ogps-repair',
      },
      histories,
    );
    for await (const r of results) {
      yield r;
      // The first failure is all a repair needs; the generator's return stops the replay worker.
      if (r.error) return;
    }
  };
}
