/**
 * The determinism gate: recorded histories of every lifecycle path (test/histories, written by
 * `npm run record:histories`, from the workflow suites) must replay against the current
 * workflow code. A change that breaks them fails here; it must go through patched() instead.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import * as workflowTypes from '../../workflows';
import { SHARED_WORKFLOW_MODULES } from '../../worker/bundle-options';
import { bundleWorkflows } from '../helpers/temporal';

// One folder per generation of the workflow code (see RECORDED_GENERATION in test/helpers/histories.ts).
const dir = path.resolve(__dirname, '..', 'histories');
const generations = readdirSync(dir).sort();
const files = generations.flatMap((g) =>
  readdirSync(path.join(dir, g))
    .filter((f) => f.endsWith('.pb'))
    .sort()
    .map((f) => path.join(g, f)),
);
const histories = files.map((f) => ({
  workflowId: f.replace(/\.pb$/, '').replace(/[\\/]/g, ':'),
  history: temporal.api.history.v1.History.decode(readFileSync(path.join(dir, f))),
}));

describe('replay of recorded histories', () => {
  let current: WorkflowBundleWithSourceMap;
  let incompatible: WorkflowBundleWithSourceMap;
  beforeAll(async () => {
    current = await bundleWorkflows();
    incompatible = await bundleWorkflows(path.resolve(__dirname, '..', 'fixtures', 'incompatible-workflow'));
  });

  it('has histories of the lifecycle paths of every generation to replay', () => {
    for (const g of generations) {
      expect(files.filter((f) => f.startsWith(`${g}${path.sep}`)).length).toBeGreaterThanOrEqual(15);
    }
    expect(histories.every((h) => (h.history.events?.length ?? 0) > 10)).toBe(true);
  });

  it('has recorded histories of every workflow type the worker runs', () => {
    const recordedTypes = new Set(
      histories.map(
        (h) => h.history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name,
      ),
    );
    const missing = Object.keys(workflowTypes).filter((t) => !recordedTypes.has(t));
    expect(missing).toEqual([]);
  });

  it('records the newest generation with a change of state projected in one activity', () => {
    // One activity per change of state (recordStep) since the one-step-projection patch; older generations
    // keep the pair, which the replay below proves still runs.
    const activityTypes = (g: string): Set<string> =>
      new Set(
        histories
          .filter((h) => h.workflowId.startsWith(`${g}:`))
          .flatMap((h) => h.history.events ?? [])
          .map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)
          .filter((n): n is string => !!n),
      );
    const newest = activityTypes(generations.at(-1) ?? '');
    expect(newest.has('recordStep')).toBe(true);
    expect(newest.has('recordTransition')).toBe(false);
    expect(activityTypes('v4-reminders').has('recordTransition')).toBe(true);
  });

  it('records the newest generation with a delivery that completes its request written by the change of state', () => {
    // The events-with-step patch: the same test, recorded before (v6) and after, schedules one recordEvent
    // fewer (the delivery that completes the request rides on the step to assessment) and no more activities.
    const inParts = 'the-registries-do-not-hold-pauses-the-time-to-resolve-and-tak';
    const activities = (g: string, type?: string): number => {
      const h = histories.find((x) => x.workflowId === `${g}:application-requests-documents-${inParts}`);
      if (!h) throw new Error(`no history of the delivery in parts in ${g}`);
      return (h.history.events ?? []).filter((e) => {
        const name = e.activityTaskScheduledEventAttributes?.activityType?.name;
        return name !== undefined && (type === undefined || name === type);
      }).length;
    };
    const newest = generations.at(-1) ?? '';
    expect(newest).not.toBe('v6-registry-since');
    expect(activities(newest, 'recordEvent')).toBe(activities('v6-registry-since', 'recordEvent') - 1);
    expect(activities(newest)).toBe(activities('v6-registry-since') - 1);
  });

  it('records the newest generation writing the case view again when a justification is accepted', () => {
    // The views-follow-deadlines patch: the same test, recorded before (v8) and after, writes the case view
    // once more (the justification's deadline and reminders end although no change of state follows).
    const granted =
      'application-grants-one-off-food-aid-registry-data-report-four-eyes-resolution-notification-p';
    const views = (g: string): number => {
      const h = histories.find((x) => x.workflowId === `${g}:${granted}`);
      if (!h) throw new Error(`no history of the granted food aid in ${g}`);
      return (h.history.events ?? []).filter(
        (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'recordCaseView',
      ).length;
    };
    const newest = generations.at(-1) ?? '';
    expect(newest).not.toBe('v8-workflow-in-parts');
    expect(views(newest)).toBe(views('v8-workflow-in-parts') + 1);
  });

  it('replays every recorded history with the current workflow code', async () => {
    const failures: string[] = [];
    let replayed = 0;
    for await (const result of Worker.runReplayHistories({ workflowBundle: current }, histories)) {
      replayed++;
      if (result.error) failures.push(`${result.workflowId}: ${String(result.error)}`);
    }
    expect(failures).toEqual([]);
    expect(replayed).toBe(histories.length);
  });

  it('replays with the date modules shared between workflows, none dropped from the preload by the bundler', () => {
    // worker/bundle-options.ts: the bundler silently drops a preload of a module declared free of side
    // effects (it did with date-fns itself), and the workflows would then each instantiate their own copy.
    const preload = /exports\.preloadModules = function preloadModules\(\) \{([^}]*)\}/.exec(
      current.code,
    )?.[1];
    const root = path.resolve(__dirname, '..', '..');
    const ids = SHARED_WORKFLOW_MODULES.map((m) => `"./${path.relative(root, m).split(path.sep).join('/')}"`);
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) expect(preload).toContain(id);
  });

  it('catches an incompatible change as a determinism violation', async () => {
    const first = histories[0];
    if (!first) throw new Error('no recorded history');
    await expect(
      Worker.runReplayHistory({ workflowBundle: incompatible }, first.history, first.workflowId),
    ).rejects.toBeInstanceOf(DeterminismViolationError);
  });
});
