/**
 * All activities, built from their dependencies so that the worker passes real clients and a test can pass
 * its own. Workflows import only the type of what this returns.
 */
import type { PrismaClient } from '../generated/prisma/client';
import type { ReferenceData } from '../adapters/reference-data';
import { createNoticeActivities } from './notices';
import { createProjectionActivities } from './projection';
import { createReferenceActivities } from './reference';
import { createReminderActivities } from './reminders';
import type { Channels } from './reminders';
import { createRegistryActivities } from './registries';
import { createRetentionActivities } from './retention';
import type { TemporalAccess } from '../adapters/temporal/retention';
import type { ScspDeps } from './registries';
import { createTreasuryActivities } from './treasury';

export interface ActivityDeps {
  prisma: PrismaClient;
  /** Read when needed, so that reloaded calendars and catalogue reach renewals. */
  reference: () => ReferenceData;
  /** The PCI/SCSP connectors; without them nothing is consulted and the person is asked for everything. */
  scsp?: ScspDeps | undefined;
  /** Email and SMS; without them reminders and alerts are recorded as having no channel. */
  channels?: Channels | undefined;
  /** The namespace the cases' workflows run in, for retention to delete their histories. */
  temporal?: TemporalAccess | undefined;
  /** RETENTION_DAYS (five years when not given). */
  retentionDays?: number | undefined;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createProjectionActivities(deps),
    ...createNoticeActivities(deps),
    ...createTreasuryActivities(deps),
    ...createRegistryActivities(deps),
    ...createReferenceActivities(deps),
    ...createReminderActivities(deps),
    ...createRetentionActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
