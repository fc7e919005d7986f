/**
 * The patch ids of the application workflow: each marks a change in the commands it issues, so that cases
 * started before the change replay the old ones (test/histories holds a generation of recorded histories per
 * change). An id is never renamed nor removed while a case started before it may still be running.
 */

/**
 * Cases started before the custom search attributes existed replay without upserts: their histories have
 * none (test/histories/v1-before-search-attributes).
 */
export const SEARCH_ATTRIBUTES_PATCH = 'search-attributes';

/**
 * Cases that consulted the registries through the first version's single `consultRegistries` call replay
 * it (test/histories/v1-*, v2-*); new ones consult each service through the PCI/SCSP connectors.
 */
export const REGISTRY_CONNECTORS_PATCH = 'registry-connectors';

/**
 * Cases started before reminders existed replay without their timers (test/histories/v1-* to v3-*); new ones keep
 * a durable timer per planned reminder of each running deadline.
 */
export const REMINDERS_PATCH = 'reminders';

/**
 * Cases started before this version project a change of state as two activities (the transition, then the
 * case view: test/histories/v1-* to v4-*); new ones write both in one activity, one round trip fewer.
 */
export const ONE_STEP_PROJECTION_PATCH = 'one-step-projection';

/**
 * A registry's `since` is when it entered its current state (unavailable since the first failed round),
 * no longer the latest round: the coordinators' "blocked for more than 4 hours" compares with it.
 */
export const REGISTRY_SINCE_PATCH = 'registry-since-state-change';

/**
 * An event that a change of state follows at once (the documents that complete a request, then the
 * assessment) is written with that change by its `recordStep`, instead of by an activity of its own that the
 * update waited for: one workflow task and one activity fewer per such action. Cases started before this
 * version replay the separate activity (test/histories/v1-* to v6-*).
 */
export const EVENTS_WITH_STEP_PATCH = 'events-with-step';

/**
 * When a deadline ends without a change of state following it at once (a justification accepted, or a
 * repayment recovered or lapsed, while the appeal month still runs), the case view is written again: the
 * projection's deadlines and the reminders of the ended deadline followed the workflow only at the next change
 * until then (issue #28, finding 8). Cases started before this version replay without that write
 * (test/histories/v1-* to v8-*).
 */
export const VIEWS_FOLLOW_DEADLINES_PATCH = 'views-follow-deadlines';
