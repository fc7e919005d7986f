/**
 * The application workflow's activities, one proxy per timeout and retry policy. Workflows import the
 * activities as types only: the proxies schedule them on the worker.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';

// Projection writes are short, idempotent statements: retried for as long as the database is away (no
// maximum attempts), so that an outage delays the projection but never loses a step.
export const projection = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

// Other administrations answer slowly and go away for hours: a long timeout, patient backoff, and a bounded
// number of attempts, after which the workflow asks the citizen for the document instead.
export const registries = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: {
    initialInterval: '10 seconds',
    backoffCoefficient: 2,
    maximumInterval: '10 minutes',
    maximumAttempts: 8,
  },
});

// One round of consultation of one registry service: the connector's HTTP timeout is 30 s, and a few quick
// attempts absorb a blip. Between rounds the workflow itself waits on durable timers (SERVICE_LEVELS
// .registryRetryMinutes), showing the case as blocked on that registry, until the office's fallback time
// sends the person a request for the documents instead.
export const registryRound = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '5 seconds',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    maximumAttempts: 3,
  },
});

// A payment order is retried a few times, then escalated to staff rather than retried blindly; its
// idempotency key makes every retry, crash and replay safe.
export const treasury = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '10 seconds',
    backoffCoefficient: 2,
    maximumInterval: '5 minutes',
    maximumAttempts: 5,
  },
});

// Notices to the citizen (acknowledgement, notification deposit) must eventually go out: retried without limit.
export const notices = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

// Reminders are a courtesy around the procedure, never part of it: some attempts over an hour or so, then
// the failure stays recorded (notice_delivery) and the case goes on.
export const reminderSender = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '30 seconds',
    backoffCoefficient: 2,
    maximumInterval: '10 minutes',
    maximumAttempts: 6,
  },
});
