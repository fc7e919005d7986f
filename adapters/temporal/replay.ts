/**
 * Replaying histories with the code the workers run (worker/replayer.ts makes one): what the repairs of held
 * cases (services/repair.ts) need to find the last workflow task that still replays.
 */
import type { temporal } from '@temporalio/proto';
import type { ReplayResult } from '@temporalio/worker';

type History = temporal.api.history.v1.IHistory;

/** Replays histories with the code the workers run: one result per history, in order. */
export type HistoryReplayer = (
  histories: Iterable<{ workflowId: string; history: History }>,
) => AsyncIterable<Pick<ReplayResult, 'workflowId' | 'error'>>;
