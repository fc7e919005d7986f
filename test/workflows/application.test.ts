import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { WorkflowNotFoundError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Activities } from '../../activities';
import type { ApplicationInput } from '../../domain/application';
import { RejectionType } from '../../domain/errors';
import type { applicationWorkflow } from '../../workflows/application';
import {
  extendDocumentDeadlineUpdate,
  fileAppealUpdate,
  notificationOutcomeUpdate,
  proposeResolutionUpdate,
  reassignUpdate,
  recordRepaymentUpdate,
  reportChangeUpdate,
  resolveAppealUpdate,
  resolveUpdate,
  retryPaymentUpdate,
  statusQuery,
  submitAssessmentUpdate,
  submitDocumentsUpdate,
  submitJustificationUpdate,
  withdrawUpdate,
} from '../../workflows/messages';
import { rejectionType } from '../helpers/failures';
import {
  FAMILY,
  PARENT_AND_CHILD,
  caseInput,
  fakeActivities,
  finish,
  reach,
  until,
} from '../helpers/lifecycle';
import type { Declared, FakeOptions } from '../helpers/lifecycle';
import { bundleWorkflows, createTimeSkippingEnv, uniqueTaskQueue } from '../helpers/temporal';

type Handle = WorkflowHandle<typeof applicationWorkflow>;

async function recordHistory(handle: Handle): Promise<void> {
  const name = (expect.getState().currentTestName ?? handle.workflowId)
    .replace(/^applicationWorkflow /, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 80)
    .replace(/-+$/, '');
  const dir = path.resolve(__dirname, '..', 'histories');
  mkdirSync(dir, { recursive: true });
  // Binary protobuf: historyToJSON trips over Jest's second copy of protobufjs.
  const history = temporal.api.history.v1.History.encode(await handle.fetchHistory()).finish();
  writeFileSync(path.join(dir, `application-${name}.pb`), history);
}

describe('applicationWorkflow', () => {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleWithSourceMap;
  let seq = 0;

  beforeAll(async () => {
    // One after the other: the test server's JVM must not start while webpack holds the CPU.
    bundle = await bundleWorkflows();
    env = await createTimeSkippingEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  /** Runs `fn` with a worker of its own and a started case. */
  async function withCase<T>(
    benefit: ApplicationInput['benefitCode'],
    opts: FakeOptions,
    fn: (handle: Handle, fake: ReturnType<typeof fakeActivities>) => Promise<T>,
    declared: Declared = FAMILY,
  ): Promise<T> {
    const fake = fakeActivities(opts);
    const taskQueue = uniqueTaskQueue();
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: bundle,
      activities: fake.activities satisfies Activities,
    });
    const id = `08187-2026-${String(++seq).padStart(6, '0')}-${taskQueue.slice(-6)}`;
    return worker.runUntil(async () => {
      const handle = await env.client.workflow.start<typeof applicationWorkflow>('applicationWorkflow', {
        taskQueue,
        workflowId: id,
        args: [await caseInput(env, id, benefit, declared, opts.attached)],
      });
      try {
        return await fn(handle, fake);
      } finally {
        // Whatever the outcome, the case ends before its worker stops (see finish()).
        await finish(handle).catch(() => undefined);
        // RECORD_HISTORIES=1 keeps each path's history for the replay gate (test/workflows/replay.test.ts).
        if (process.env.RECORD_HISTORIES) await recordHistory(handle);
      }
    });
  }

  /** Report, proposal and resolution by two different people. */
  async function resolveAs(handle: Handle, outcome: 'granted' | 'refused'): Promise<void> {
    await reach(env, handle, 'assessment');
    await handle.executeUpdate(submitAssessmentUpdate, {
      args: [
        {
          actor: 'sw-1',
          recommendation: outcome === 'granted' ? 'grant' : 'refuse',
          report: 'Informe social',
        },
      ],
    });
    await handle.executeUpdate(proposeResolutionUpdate, {
      args: [
        {
          actor: 'sw-1',
          outcome,
          reasons: outcome === 'granted' ? 'Compleix els requisits' : 'No acredita la necessitat',
        },
      ],
    });
    await handle.executeUpdate(resolveUpdate, { args: [{ actor: 'coord-1', approve: true }] });
  }
  const grant = (handle: Handle): Promise<void> => resolveAs(handle, 'granted');

  async function accept(handle: Handle): Promise<void> {
    await reach(env, handle, 'notifying');
    const on = new Date((await env.currentTimeMs()).valueOf()).toISOString();
    await handle.executeUpdate(notificationOutcomeUpdate, { args: [{ outcome: 'accepted', on }] });
  }

  it('grants one-off food aid: registry data, report, four-eyes resolution, notification, payment, justification', async () => {
    await withCase('URGENCY_FOOD', {}, async (handle, fake) => {
      await grant(handle);
      await accept(handle);
      let status = await reach(env, handle, 'awaiting_justification');
      expect(status.resolution).toMatchObject({
        outcome: 'granted',
        amount: 280,
        instalments: 1,
        proposedBy: 'sw-1',
        resolvedBy: 'coord-1',
      });
      expect([...fake.calls.payments.values()]).toEqual([
        expect.objectContaining({ amount: 280, instalment: 1, recipient: 'card' }),
      ]);
      expect(status.deadlines.map((d) => d.kind)).toContain('justification');
      expect(fake.calls.acknowledgements).toBe(1);
      await handle.executeUpdate(submitJustificationUpdate, {
        args: [{ actor: 'admin-1', verdict: 'accepted' }],
      });
      status = await handle.result();
      expect(status).toMatchObject({ state: 'closed', closingReason: 'period ended' });
      expect(fake.eventTypes()).toEqual(
        expect.arrayContaining([
          'acknowledged',
          'assessment_report',
          'resolution_approved',
          'payment_ordered',
          'justification_accepted',
        ]),
      );
    });
  });

  it('refuses a resolution by the person who proposed it (four eyes)', async () => {
    await withCase('URGENCY_FOOD', {}, async (handle) => {
      await reach(env, handle, 'assessment');
      await handle.executeUpdate(submitAssessmentUpdate, {
        args: [{ actor: 'sw-1', recommendation: 'grant', report: 'ok' }],
      });
      await handle.executeUpdate(proposeResolutionUpdate, {
        args: [{ actor: 'sw-1', outcome: 'granted', reasons: 'ok' }],
      });
      expect(
        await rejectionType(
          handle.executeUpdate(resolveUpdate, { args: [{ actor: 'sw-1', approve: true }] }),
        ),
      ).toBe(RejectionType.FourEyesViolation);
      expect((await handle.query(statusQuery)).state).toBe('proposed');
      await finish(handle);
    });
  });

  it('refuses actions out of order with the reason', async () => {
    await withCase('URGENCY_FOOD', {}, async (handle) => {
      await reach(env, handle, 'assessment');
      expect(
        await rejectionType(
          handle.executeUpdate(proposeResolutionUpdate, {
            args: [{ actor: 'sw-1', outcome: 'granted', reasons: 'x' }],
          }),
        ),
      ).toBe(RejectionType.InvalidTransition);
      expect(
        await rejectionType(handle.executeUpdate(resolveUpdate, { args: [{ actor: 'c', approve: true }] })),
      ).toBe(RejectionType.InvalidTransition);
      expect(
        await rejectionType(
          handle.executeUpdate(submitDocumentsUpdate, { args: [{ actor: 'a', documents: ['INCOME'] }] }),
        ),
      ).toBe(RejectionType.InvalidTransition);
      expect(
        await rejectionType(handle.executeUpdate(fileAppealUpdate, { args: [{ actor: 'a', grounds: 'x' }] })),
      ).toBe(RejectionType.InvalidTransition);
      await finish(handle);
    });
  });

  it('requests documents the registries do not hold, pauses the time to resolve, and takes them in parts', async () => {
    await withCase(
      'URGENCY_FOOD',
      { obtained: ['RESIDENCE', 'INCOME', 'PUBLIC_BENEFITS'], attached: [] },
      async (handle, fake) => {
        let status = await reach(env, handle, 'awaiting_documents');
        expect(status.documentRequest?.documents.map((d) => d.code).sort()).toEqual([
          'BANK_BALANCES',
          'IDENTITY',
        ]);
        const maxBefore = status.deadlines.find((d) => d.kind === 'max_time_to_resolve');
        expect(maxBefore?.pausedSince).toBe(status.documentRequest?.requestedOn);
        expect(
          status.deadlines.find((d) => d.kind === 'document_request')?.legalBasis.map((b) => b.article),
        ).toContain('68.1');
        expect(fake.calls.notifications.map((n) => n.kind)).toEqual(['document_request']);

        await env.sleep('3 days');
        status = await handle.executeUpdate(submitDocumentsUpdate, {
          args: [{ actor: 'admin-1', documents: ['IDENTITY'] }],
        });
        expect(status.state).toBe('awaiting_documents');
        expect(
          await rejectionType(
            handle.executeUpdate(submitDocumentsUpdate, {
              args: [{ actor: 'admin-1', documents: ['IDENTITY'] }],
            }),
          ),
        ).toBe(RejectionType.InvalidInput);
        await handle.executeUpdate(submitDocumentsUpdate, {
          args: [{ actor: 'admin-1', documents: ['BANK_BALANCES'] }],
        });
        status = await reach(env, handle, 'assessment');
        const maxAfter = status.deadlines.find((d) => d.kind === 'max_time_to_resolve');
        // The clock stood still while the request was open: the maximum time moved later by those days.
        expect(maxAfter?.pausedSince).toBeUndefined();
        // Paused and resumed, it still cites the article that sets it.
        expect(maxBefore?.legalBasis[0]?.article).toBe('21.2');
        expect(maxAfter?.legalBasis[0]?.article).toBe('21.2');
        expect(maxAfter!.dueDate > maxBefore!.dueDate).toBe(true);
        await finish(handle);
      },
    );
  });

  it('grants one extension of up to 5 business days and refuses a second or longer one', async () => {
    await withCase('URGENCY_FOOD', { obtained: [] }, async (handle) => {
      const before = (await reach(env, handle, 'awaiting_documents')).deadlines.find(
        (d) => d.kind === 'document_request',
      );
      expect(
        await rejectionType(
          handle.executeUpdate(extendDocumentDeadlineUpdate, { args: [{ actor: 'admin-1', days: 6 }] }),
        ),
      ).toBe(RejectionType.InvalidInput);
      const extended = await handle.executeUpdate(extendDocumentDeadlineUpdate, {
        args: [{ actor: 'admin-1', days: 5 }],
      });
      const after = extended.deadlines.find((d) => d.kind === 'document_request');
      expect(after!.dueDate > before!.dueDate).toBe(true);
      // Extended, it still cites art. 68.1 and now also art. 32.1.
      expect(after!.legalBasis.map((b) => b.article)).toEqual(expect.arrayContaining(['68.1', '32.1']));
      expect(after!.legalBasis[0]?.article).toBe('68.1');
      expect(
        await rejectionType(
          handle.executeUpdate(extendDocumentDeadlineUpdate, { args: [{ actor: 'admin-1', days: 1 }] }),
        ),
      ).toBe(RejectionType.InvalidTransition);
      await finish(handle);
    });
  });

  it('proposes withdrawal when the remedy period expires, then declares it and closes after the appeal month', async () => {
    await withCase('URGENCY_FOOD', { obtained: [] }, async (handle, fake) => {
      await reach(env, handle, 'awaiting_documents');
      await env.sleep('20 days'); // 10 business days is at most 16 calendar days, holidays included
      let status = await reach(env, handle, 'proposed');
      expect(status.proposal).toMatchObject({ outcome: 'withdrawal', proposedBy: 'system' });
      await handle.executeUpdate(resolveUpdate, { args: [{ actor: 'coord-1', approve: true }] });
      await reach(env, handle, 'notifying');
      await env.sleep('11 days'); // not opened: deemed rejected (art. 43.2)
      status = await handle.result();
      expect(status).toMatchObject({ state: 'closed', closingReason: 'withdrawal declared' });
      expect(status.notification?.outcome).toBe('rejected');
      expect(fake.eventTypes()).toContain('notification_deemed_rejected');
      expect(fake.calls.payments.size).toBe(0);
    });
  });

  it('accepts documents delivered late, before the withdrawal is resolved (art. 73.3)', async () => {
    await withCase(
      'URGENCY_FOOD',
      { obtained: ['RESIDENCE', 'INCOME', 'PUBLIC_BENEFITS'], attached: ['BANK_BALANCES'] },
      async (handle) => {
        await reach(env, handle, 'awaiting_documents');
        await env.sleep('20 days');
        await reach(env, handle, 'proposed');
        await handle.executeUpdate(submitDocumentsUpdate, {
          args: [{ actor: 'admin-1', documents: ['IDENTITY'] }],
        });
        const status = await reach(env, handle, 'assessment');
        expect(status.proposal).toBeUndefined();
        await finish(handle);
      },
    );
  });

  it('refuses, then upholds an appeal within its month and pays', async () => {
    await withCase('URGENCY_FOOD', {}, async (handle, fake) => {
      await resolveAs(handle, 'refused');
      await accept(handle);
      await env.sleep('5 days');
      await handle.executeUpdate(fileAppealUpdate, {
        args: [{ actor: 'admin-1', grounds: 'Nova documentació de la situació' }],
      });
      let status = await reach(env, handle, 'appeal');
      expect(status.deadlines.map((d) => d.kind)).toContain('appeal_resolution');
      await handle.executeUpdate(resolveAppealUpdate, {
        args: [{ actor: 'coord-2', upheld: true, reasons: 'Es reconsidera' }],
      });
      status = await reach(env, handle, 'awaiting_justification');
      expect(status.resolution).toMatchObject({ outcome: 'granted', onAppeal: true, amount: 280 });
      expect(fake.calls.payments.size).toBe(1);
      await finish(handle);
    });
  });

  it('dismisses an appeal by silence after a month, and the refusal stands', async () => {
    await withCase('URGENCY_FOOD', {}, async (handle, fake) => {
      await resolveAs(handle, 'refused');
      await accept(handle);
      await handle.executeUpdate(fileAppealUpdate, { args: [{ actor: 'admin-1', grounds: 'x' }] });
      await env.sleep('35 days');
      const status = await handle.result();
      expect(status.appeal?.outcome).toBe('dismissed_by_silence');
      expect(status).toMatchObject({ state: 'closed', closingReason: 'refused' });
      expect(fake.eventTypes()).toContain('appeal_dismissed_by_silence');
    });
  });

  it('refuses an appeal filed after its month', async () => {
    await withCase('URGENCY_FOOD', {}, async (handle) => {
      await resolveAs(handle, 'refused');
      await accept(handle);
      await env.sleep('40 days');
      await expect(
        handle.executeUpdate(fileAppealUpdate, { args: [{ actor: 'admin-1', grounds: 'x' }] }),
      ).rejects.toBeInstanceOf(WorkflowNotFoundError);
      expect((await handle.result()).state).toBe('closed');
    });
  });

  it('pays six monthly rent instalments, each once, on their dates', async () => {
    await withCase('RENT', {}, async (handle, fake) => {
      await grant(handle);
      await accept(handle);
      await reach(env, handle, 'paying');
      await until(env, () => fake.calls.payments.size === 1);
      await env.sleep('160 days');
      const status = await reach(env, handle, 'awaiting_justification', 'renewal_review', 'closed');
      const payments = [...fake.calls.payments.values()];
      expect(payments.map((p) => p.instalment)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(new Set(payments.map((p) => p.key)).size).toBe(6);
      expect(payments.every((p) => p.amount === 300 && p.recipient === 'supplier')).toBe(true);
      expect(status.payments.every((p) => p.status === 'paid')).toBe(true);
      // one month apart
      expect(payments.map((p) => p.dueDate.slice(8))).toEqual(Array(6).fill(payments[0]!.dueDate.slice(8)));
      await finish(handle);
    });
  });

  it('retries a failing payment, escalates it to staff, and pays it once after the retry', async () => {
    await withCase('URGENCY_FOOD', { paymentFailures: 6 }, async (handle, fake) => {
      await grant(handle);
      await accept(handle);
      let status = await reach(env, handle, 'paying');
      for (let i = 0; i < 100 && status.pendingTask?.kind !== 'payment_failure'; i++) {
        await env.sleep('1 minute');
        status = await handle.query(statusQuery);
      }
      expect(status.pendingTask?.kind).toBe('payment_failure');
      expect(fake.calls.paymentAttempts).toBe(5); // the retry policy's maximum attempts
      expect(fake.calls.payments.size).toBe(0);
      await handle.executeUpdate(retryPaymentUpdate, { args: [{ actor: 'admin-1' }] });
      status = await reach(env, handle, 'awaiting_justification');
      expect(fake.calls.paymentAttempts).toBe(7);
      expect(fake.calls.payments.size).toBe(1);
      expect(status.payments).toEqual([expect.objectContaining({ status: 'paid', instalment: 1 })]);
      await finish(handle);
    });
  });

  it('opens repayment when the justification is missing, and closes once it is recovered', async () => {
    await withCase('URGENCY_FOOD', {}, async (handle, fake) => {
      await grant(handle);
      await accept(handle);
      await reach(env, handle, 'awaiting_justification');
      await env.sleep('100 days');
      let status = await reach(env, handle, 'repayment');
      expect(status.justification?.verdict).toBe('missing');
      expect(status.repayment).toMatchObject({ amount: 280 });
      expect(status.deadlines.find((d) => d.kind === 'repayment')?.legalBasis[0]?.article).toBe('42.4');
      expect(
        await rejectionType(
          handle.executeUpdate(recordRepaymentUpdate, { args: [{ actor: 'admin-1', amount: 300 }] }),
        ),
      ).toBe(RejectionType.InvalidInput);
      await handle.executeUpdate(recordRepaymentUpdate, { args: [{ actor: 'admin-1', amount: 280 }] });
      status = await handle.result();
      expect(status.repayment?.outcome).toBe('recovered');
      expect(fake.eventTypes()).toEqual(
        expect.arrayContaining(['justification_missing', 'repayment_recovered']),
      );
    });
  });

  it('renews the income complement after 12 months into a new run (continue-as-new)', async () => {
    const facts = { registeredInMunicipality: true, benefitsReceived: { IMV: 400, RGC: 0 } };
    await withCase(
      'INCOME_COMPLEMENT',
      { facts },
      async (handle, fake) => {
        await grant(handle);
        await accept(handle);
        const first = await reach(env, handle, 'paying');
        expect(first.resolution).toMatchObject({ amount: 360, instalments: 12 });
        const firstRun = (await handle.describe()).runId;
        await env.sleep('370 days');
        const status = await reach(env, handle, 'paying');
        expect(status.period).toBe(2);
        expect((await handle.describe()).runId).not.toBe(firstRun);
        expect(status.history.some((h) => h.type === 'renewed')).toBe(true);
        expect([...fake.calls.payments.keys()].filter((k) => k.includes(':p1:'))).toHaveLength(12);
        expect(
          [...fake.calls.payments.keys()].filter((k) => k.includes(':p2:')).length,
        ).toBeGreaterThanOrEqual(1);
        await finish(handle);
      },
      PARENT_AND_CHILD,
    );
  });

  it.each(['awaiting_documents', 'assessment', 'proposed', 'notifying', 'paying'] as const)(
    'is withdrawn by the applicant from %s, cancelling what was pending',
    async (state) => {
      const benefit = state === 'paying' ? 'RENT' : 'URGENCY_FOOD';
      await withCase(
        benefit,
        state === 'awaiting_documents' ? { obtained: [] } : {},
        async (handle, fake) => {
          if (state !== 'awaiting_documents') await reach(env, handle, 'assessment');
          if (state === 'proposed' || state === 'notifying' || state === 'paying') {
            await handle.executeUpdate(submitAssessmentUpdate, {
              args: [{ actor: 'sw-1', recommendation: 'grant', report: 'x' }],
            });
            await handle.executeUpdate(proposeResolutionUpdate, {
              args: [{ actor: 'sw-1', outcome: 'granted', reasons: 'x' }],
            });
          }
          if (state === 'notifying' || state === 'paying')
            await handle.executeUpdate(resolveUpdate, { args: [{ actor: 'c', approve: true }] });
          if (state === 'paying') await accept(handle);
          await reach(env, handle, state);
          if (state === 'paying') await until(env, () => fake.calls.payments.size === 1);
          const status = await handle.executeUpdate(withdrawUpdate, {
            args: [{ actor: 'citizen', reason: 'Ja no ho necessito' }],
          });
          expect(status.state).toBe('withdrawn');
          const final = await handle.result();
          expect(final.state).toBe('withdrawn');
          expect(final.deadlines).toEqual([]);
          if (state === 'paying') {
            expect(final.closingReason).toBe('renounced');
            expect(final.payments.filter((p) => p.status === 'cancelled')).toHaveLength(5);
            expect(fake.calls.payments.size).toBe(1);
          }
        },
      );
    },
  );

  it('applies the effect of silence when the maximum time to resolve runs out, after an alert', async () => {
    await withCase('URGENCY_FOOD', {}, async (handle, fake) => {
      await reach(env, handle, 'assessment');
      await env.sleep('40 days');
      const status = await handle.query(statusQuery);
      expect(status.silence).toMatchObject({ effect: 'refusal' });
      expect(status.pendingTask).toMatchObject({ kind: 'assessment_report', overdue: true });
      expect(fake.eventTypes()).toEqual(
        expect.arrayContaining(['max_time_alert', 'silence', 'task_overdue']),
      );
      // The duty to resolve remains: the case still takes its report.
      await handle.executeUpdate(submitAssessmentUpdate, {
        args: [{ actor: 'sw-1', recommendation: 'refuse', report: 'x' }],
      });
      await finish(handle);
    });
  });

  it('reassigns the case and its pending task', async () => {
    await withCase('URGENCY_FOOD', {}, async (handle, fake) => {
      await reach(env, handle, 'assessment');
      const status = await handle.executeUpdate(reassignUpdate, {
        args: [{ actor: 'coord-1', assignee: 'sw-2' }],
      });
      expect(status.assignee).toBe('sw-2');
      expect(status.pendingTask?.assignee).toBe('sw-2');
      expect(fake.calls.views.at(-1)).toMatchObject({ assignee: 'sw-2' });
      expect(
        await rejectionType(
          handle.executeUpdate(reassignUpdate, { args: [{ actor: 'coord-1', assignee: ' ' }] }),
        ),
      ).toBe(RejectionType.InvalidInput);
      await finish(handle);
    });
  });

  it('revokes a monthly aid when a change of circumstances breaks the conditions', async () => {
    await withCase('RENT', {}, async (handle, fake) => {
      await grant(handle);
      await accept(handle);
      await reach(env, handle, 'paying');
      await env.sleep('40 days');
      await handle.executeUpdate(reportChangeUpdate, {
        args: [
          {
            actor: 'sw-1',
            description: 'Nova feina amb ingressos suficients',
            facts: { monthlyIncome: 4000 },
          },
        ],
      });
      await env.sleep('200 days');
      const status = await reach(env, handle, 'awaiting_justification', 'repayment', 'closed');
      expect(fake.eventTypes()).toContain('revoked');
      expect(fake.calls.payments.size).toBeLessThan(6);
      expect(status.payments.filter((p) => p.status === 'cancelled').length).toBe(
        6 - fake.calls.payments.size,
      );
      await finish(handle);
    });
  });
});
