/**
 * The retention workflow: one for the whole office (workflow id `retention`, started by the worker at boot: adapters/temporal/retention.ts),
 * which anonymises closed cases as their retention period ends (activities/retention.ts). No cron and no
 * polling of the database on a fixed beat: after each batch it sleeps on a durable timer until the next case
 * falls due, at most a day (a shorter RETENTION_DAYS, or a case closed meanwhile, is seen within a day), and
 * continues as new every ROUNDS_PER_RUN rounds so its history stays small however many years it runs.
 */
import { ActivityFailure, continueAsNew, proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { nowMs } from './clock';

const HOUR_MS = 3_600_000;
/** The longest sleep between two rounds. */
export const MAX_SLEEP_MS = 24 * HOUR_MS;
/** A round whose next case is (by clock skew between worker and server) already due sleeps this much. */
const MIN_SLEEP_MS = 1_000;
/** After a batch that kept failing, the next try. */
const FAILURE_PAUSE_MS = HOUR_MS;
/** Rounds per run before continue-as-new: about a dozen events each, so a run stays near a thousand. */
const ROUNDS_PER_RUN = 100;
/** Cases per activity: each is a few deletions in Temporal and one transaction, well within the timeout. */
const BATCH_SIZE = 50;

// One batch takes seconds; a retry absorbs a blip of PostgreSQL or Temporal. After the last attempt the
// workflow itself waits an hour and tries again, so a long outage never fails the workflow.
const retention = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  retry: {
    initialInterval: '10 seconds',
    backoffCoefficient: 2,
    maximumInterval: '10 minutes',
    maximumAttempts: 6,
  },
});

export interface RetentionWorkflowInput {
  /** Rounds before continue-as-new (tests make it small); ROUNDS_PER_RUN by default. */
  roundsPerRun?: number | undefined;
  /** Cases per batch; BATCH_SIZE by default. */
  batchSize?: number | undefined;
}

export async function retentionWorkflow(input: RetentionWorkflowInput = {}): Promise<void> {
  const rounds = input.roundsPerRun ?? ROUNDS_PER_RUN;
  for (let round = 0; round < rounds; round++) {
    let wait: number;
    try {
      const result = await retention.anonymiseDueCases({ batchSize: input.batchSize ?? BATCH_SIZE });
      if (result.moreDue) continue;
      wait = result.nextDueAt === null ? MAX_SLEEP_MS : Date.parse(result.nextDueAt) - nowMs();
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      wait = FAILURE_PAUSE_MS;
    }
    await sleep(Math.min(Math.max(wait, MIN_SLEEP_MS), MAX_SLEEP_MS));
  }
  // No signal, update or query handlers: nothing to wait for before continuing.
  await continueAsNew<typeof retentionWorkflow>(input);
}
