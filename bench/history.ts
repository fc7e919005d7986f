/**
 * 7. History bounds: a simulated 10-year case on the time-skipping test server (the real workflow, typed fake
 * activities): the income complement granted, then renewed each year (continue-as-new), twelve monthly
 * payments a year and the reminders of its deadlines. Every run must stay under 10,240 events and 10 MB; the
 * largest payload is reported (documents stay in PostgreSQL, workflows carry ids).
 *
 *   npm run setup && npm run bench -- history [--years 10]
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { registerSearchAttributes } from '../adapters/temporal/search-attributes';
import { APPLICATION_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import { workflowBundleOptions } from '../worker/bundle-options';
import type { applicationWorkflow } from '../workflows/application';
import {
  notificationOutcomeUpdate,
  proposeResolutionUpdate,
  resolveUpdate,
  statusQuery,
  submitAssessmentUpdate,
  withdrawUpdate,
} from '../workflows/messages';
import { caseInput, fakeActivities, PARENT_AND_CHILD } from '../scripts/dev/case-fakes';
import { arg, report, runBenchmark } from './lib/report';
import { root } from './lib/stack';

const HistoryProto = temporal.api.history.v1.History;
const EventProto = temporal.api.history.v1.HistoryEvent;

/** The largest `data` of any payload inside an event (inputs, results, memos, search attributes). */
function largestPayload(value: unknown, seen = 0): number {
  if (!value || typeof value !== 'object') return seen;
  if (value instanceof Uint8Array) return Math.max(seen, value.length);
  let max = seen;
  for (const v of Object.values(value as Record<string, unknown>))
    max = Math.max(max, largestPayload(v, max));
  return max;
}

async function main(): Promise<void> {
  const years = arg('years', 10);
  const server = path.join(root, '.tools', 'bin', 'temporal-test-server');
  if (!existsSync(server)) throw new Error('no time-skipping test server: run `npm run setup` first');
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: server } },
  });
  try {
    // The case indexes itself under the office's search attributes: they must exist, as on a real server.
    await registerSearchAttributes(env.connection, 'default', APPLICATION_SEARCH_ATTRIBUTES);
    const bundle = await bundleWorkflowCode(workflowBundleOptions(require.resolve('../workflows')));
    const fake = fakeActivities({
      facts: { registeredInMunicipality: true, benefitsReceived: { IMV: 400, RGC: 0 } },
    });
    const taskQueue = 'bench-history';
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: bundle,
      activities: fake.activities,
    });
    const id = '08187-2026-900001';
    const runs: {
      runId: string;
      events: number;
      bytes: number;
      largestPayload: number;
      largestEvent: number;
    }[] = [];
    const final = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start<typeof applicationWorkflow>('applicationWorkflow', {
        taskQueue,
        workflowId: id,
        args: [await caseInput(env, id, 'INCOME_COMPLEMENT', PARENT_AND_CHILD)],
      });
      const waitFor = async (state: string) => {
        for (let i = 0; i < 100 && (await handle.query(statusQuery)).state !== state; i++)
          await env.sleep('1 hour');
      };
      await waitFor('assessment');
      await handle.executeUpdate(submitAssessmentUpdate, {
        args: [{ actor: 'sw-1', recommendation: 'grant', report: 'Informe social' }],
      });
      await handle.executeUpdate(proposeResolutionUpdate, {
        args: [{ actor: 'sw-1', outcome: 'granted', reasons: 'Compleix els requisits' }],
      });
      await handle.executeUpdate(resolveUpdate, { args: [{ actor: 'coord-1', approve: true }] });
      await waitFor('notifying');
      const on = new Date((await env.currentTimeMs()).valueOf()).toISOString();
      await handle.executeUpdate(notificationOutcomeUpdate, { args: [{ outcome: 'accepted', on }] });
      // Ten years, a month at a time, as the case would live them.
      for (let month = 0; month < years * 12; month++) {
        await env.sleep('30 days');
        if (month % 12 === 11) {
          const s = await handle.query(statusQuery);
          console.log(
            `year ${(month + 1) / 12}: period ${s.period}, ${s.state}, ${fake.calls.payments.size} payments`,
          );
        }
      }
      const status = await handle.query(statusQuery);
      if (status.state !== 'closed' && status.state !== 'withdrawn')
        await handle.executeUpdate(withdrawUpdate, { args: [{ actor: 'bench', reason: 'benchmark over' }] });
      await handle.result().catch(() => undefined);

      // Every run of the case, following the chain of continue-as-new from the first.
      for (let runId: string | undefined = handle.firstExecutionRunId; runId;) {
        const history: temporal.api.history.v1.IHistory = await env.client.workflow
          .getHandle(id, runId)
          .fetchHistory();
        const events = history.events ?? [];
        runs.push({
          runId,
          events: events.length,
          bytes: HistoryProto.encode(history).finish().length,
          largestPayload: Math.max(0, ...events.map((e) => largestPayload(e))),
          largestEvent: Math.max(0, ...events.map((e) => EventProto.encode(e).finish().length)),
        });
        runId = events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
      }
      return status;
    });
    const periods = final.period;
    const maxEvents = Math.max(...runs.map((r) => r.events));
    const maxBytes = Math.max(...runs.map((r) => r.bytes));
    const payments = fake.calls.payments.size;
    report(
      'history',
      [
        { what: `runs of a ${years}-year case (one per period, continue-as-new)`, value: runs.length },
        { what: 'periods reached', value: periods ?? runs.length },
        { what: 'payments ordered over the case', value: payments },
        { what: 'reminders sent over the case', value: fake.calls.reminders.length },
        { what: 'largest run: events', value: maxEvents, target: '< 10,240', met: maxEvents < 10_240 },
        {
          what: 'largest run: history size',
          value: Math.round(maxBytes / 1024),
          unit: 'KiB',
          target: '< 10 MB',
          met: maxBytes < 10 * 1024 * 1024,
        },
        {
          what: 'largest payload',
          value: Math.round(Math.max(...runs.map((r) => r.largestPayload)) / 102.4) / 10,
          unit: 'KiB',
        },
        {
          what: 'largest event',
          value: Math.round(Math.max(...runs.map((r) => r.largestEvent)) / 102.4) / 10,
          unit: 'KiB',
        },
      ],
      { years, runs },
    );
  } finally {
    await env.teardown();
  }
}

runBenchmark(main);
