/**
 * All activities, built from their dependencies so that the worker passes real clients and a test can pass
 * its own. Workflows import only the type of what this returns.
 */
import type { PrismaClient } from '../generated/prisma/client';
import { createProjectionActivities } from './projection';

export interface ActivityDeps {
  prisma: PrismaClient;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createProjectionActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
