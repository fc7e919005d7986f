import { WorkflowNotFoundError } from '@temporalio/client';
import type { WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Activities } from '../../activities';
import type { ApplicationInput, ApplicationState } from '../../domain/application';
import { officeDateOf, officeStartOfDay, plusDays, plusMonths } from '../../domain/dates';
import { SERVICE_LEVELS } from '../../domain/lifecycle';
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
import {
  assigneeKey,
  benefitKey,
  municipalityKey,
  nextDeadlineKey,
  stateKey,
} from '../../workflows/search-attributes';
import { rejectionType } from '../helpers/failures';
import { finish, reach, until } from '../helpers/lifecycle';
import { FAMILY, PARENT_AND_CHILD, caseInput, fakeActivities } from '../../scripts/dev/case-fakes';
import type { Declared, FakeOptions } from '../../scripts/dev/case-fakes';
import { recordHistory, recording } from '../helpers/histories';
import { bundleWorkflows, createTimeSkippingEnv, uniqueTaskQueue } from '../helpers/temporal';

type Handle = WorkflowHandle<typeof applicationWorkflow>;

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
        if (recording) await recordHistory(handle, 'application', { stripFromName: /^applicationWorkflow / });
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

  /** The office's day on the test server's clock (Europe/Madrid: the day the staff would type). */
  async function officeToday(): Promise<string> {
    return officeDateOf(new Date((await env.currentTimeMs()).valueOf()));
  }

  async function accept(handle: Handle): Promise<void> {
    await reach(env, handle, 'notifying');
    const on = await officeToday();
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

  it('writes the case view again when the justification is accepted, ending its deadline and its reminders', async () => {
    await withCase('URGENCY_FOOD', {}, async (handle, fake) => {
      await grant(handle);
      await accept(handle);
      const before = await reach(env, handle, 'awaiting_justification');
      expect(before.upcomingReminders?.some((r) => r.deadline === 'justification')).toBe(true);
      await handle.executeUpdate(submitJustificationUpdate, {
        args: [{ actor: 'admin-1', verdict: 'accepted' }],
      });
      // The appeal month still runs, so no change of state follows: the view is written all the same.
      await until(env, () => !fake.latestView()?.deadlines.some((d) => d.kind === 'justification'));
      const status = await handle.query(statusQuery);
      expect(status.state).toBe('awaiting_justification');
      expect(status.deadlines.map((d) => d.kind)).not.toContain('justification');
      expect(status.upcomingReminders?.some((r) => r.deadline === 'justification')).toBe(false);
      await finish(handle);
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
        expect(fake.calls.events.filter((e) => e.type === 'documents_delivered').map((e) => e.note)).toEqual([
          'IDENTITY',
          'BANK_BALANCES',
        ]);
        // The delivery that completes the request is written with the change of state it leads to, in one
        // activity; the partial one, which no change of state follows, by an activity of its own.
        const toAssessment = fake.calls.steps.filter((s) => s.transition.to === 'assessment');
        expect(toAssessment.map((s) => s.events?.map((e) => [e.type, e.note]))).toEqual([
          [['documents_delivered', 'BANK_BALANCES']],
        ]);
        expect(fake.calls.steps.flatMap((s) => s.events ?? []).map((e) => e.note)).toEqual(['BANK_BALANCES']);
        expect(status.history.map((h) => h.type).slice(-2)).toEqual(['documents_delivered', 'assessment']);
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
      async (handle, fake) => {
        await reach(env, handle, 'awaiting_documents');
        await env.sleep('20 days');
        await reach(env, handle, 'proposed');
        await handle.executeUpdate(submitDocumentsUpdate, {
          args: [{ actor: 'admin-1', documents: ['IDENTITY'] }],
        });
        const status = await reach(env, handle, 'assessment');
        expect(status.proposal).toBeUndefined();
        const reopened = fake.calls.steps.find((s) => s.transition.type === 'late_documents_accepted');
        expect(reopened?.events?.map((e) => [e.type, e.note, e.actor])).toEqual([
          ['documents_delivered', 'IDENTITY', 'admin-1'],
        ]);
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
      // One month apart: the same day of the month as the first, or the month's last day when it has no such day
      // (a first instalment on the 31st is paid on 30 April and 28 February).
      const first = payments[0]!.dueDate;
      expect(payments.map((p) => p.dueDate)).toEqual([0, 1, 2, 3, 4, 5].map((i) => plusMonths(first, i)));
      await finish(handle);
    });
  });

  it('refuses a notification outcome dated before its deposit, and takes one from it on (art. 43)', async () => {
    await withCase('URGENCY_FOOD', {}, async (handle) => {
      await grant(handle);
      const status = await reach(env, handle, 'notifying');
      const deposited = status.notification!.depositedOn;
      for (const on of [
        plusDays(deposited, -1),
        plusMonths(deposited, -6),
        `${plusDays(deposited, -1)}T23:00:00Z`,
      ]) {
        expect(
          await rejectionType(
            handle.executeUpdate(notificationOutcomeUpdate, { args: [{ outcome: 'accepted', on }] }),
          ),
        ).toBe(RejectionType.InvalidInput);
      }
      expect((await handle.query(statusQuery)).notification?.outcome).toBeUndefined();
      const accepted = await handle.executeUpdate(notificationOutcomeUpdate, {
        args: [{ outcome: 'accepted', on: deposited }],
      });
      expect(accepted.notification).toMatchObject({ outcome: 'accepted', effectiveOn: deposited });
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

  type Fake = ReturnType<typeof fakeActivities>;
  interface Route {
    benefit: ApplicationInput['benefitCode'];
    opts?: FakeOptions;
    declared?: Declared;
    /** Takes a new case to the state; the case then waits there (on a person, a timer or a retry). */
    go: (handle: Handle, fake: Fake) => Promise<unknown>;
  }
  const proposeGrant = async (handle: Handle): Promise<void> => {
    await reach(env, handle, 'assessment');
    await handle.executeUpdate(submitAssessmentUpdate, {
      args: [{ actor: 'sw-1', recommendation: 'grant', report: 'x' }],
    });
    await handle.executeUpdate(proposeResolutionUpdate, {
      args: [{ actor: 'sw-1', outcome: 'granted', reasons: 'x' }],
    });
  };
  /** Every open state an applicant can withdraw from, and how a case gets there. */
  const ROUTES: Record<Exclude<ApplicationState, 'submitted' | 'closed' | 'withdrawn'>, Route> = {
    // The registries are away: the case stays registered while their consultation is retried.
    registered: {
      benefit: 'URGENCY_FOOD',
      opts: { registriesDownFrom: 1 },
      go: async (handle) => {
        for (let i = 0; i < 60 && (await handle.query(statusQuery)).blockedOn?.length !== 3; i++) {
          await env.sleep('1 minute');
        }
      },
    },
    awaiting_documents: { benefit: 'URGENCY_FOOD', opts: { obtained: [] }, go: async () => undefined },
    assessment: { benefit: 'URGENCY_FOOD', go: async () => undefined },
    proposed: { benefit: 'URGENCY_FOOD', go: proposeGrant },
    notifying: { benefit: 'URGENCY_FOOD', go: grant },
    paying: {
      benefit: 'RENT',
      go: async (handle, fake) => {
        await grant(handle);
        await accept(handle);
        await until(env, () => fake.calls.payments.size === 1);
      },
    },
    appeal: {
      benefit: 'URGENCY_FOOD',
      go: async (handle) => {
        await resolveAs(handle, 'refused');
        await accept(handle);
        await handle.executeUpdate(fileAppealUpdate, { args: [{ actor: 'admin-1', grounds: 'x' }] });
      },
    },
    awaiting_justification: {
      benefit: 'URGENCY_FOOD',
      go: async (handle) => {
        await grant(handle);
        await accept(handle);
      },
    },
    repayment: {
      benefit: 'URGENCY_FOOD',
      go: async (handle) => {
        await grant(handle);
        await accept(handle);
        await reach(env, handle, 'awaiting_justification');
        await env.sleep('100 days');
      },
    },
    // The renewal review consults the registries again, and they are away: it waits on their retries.
    renewal_review: {
      benefit: 'INCOME_COMPLEMENT',
      declared: PARENT_AND_CHILD,
      opts: {
        registriesDownFrom: 1,
        registriesDownStage: 'renewal',
        facts: { registeredInMunicipality: true, benefitsReceived: { IMV: 400, RGC: 0 } },
      },
      go: async (handle) => {
        await grant(handle);
        await accept(handle);
        await reach(env, handle, 'paying');
        // The renewal deadline is set once the period's instalments are paid, some 11 months on.
        let periodEnd: string | undefined;
        for (let i = 0; i < 40 && !periodEnd; i++) {
          await env.sleep('10 days');
          periodEnd = (await handle.query(statusQuery)).deadlines.find((d) => d.kind === 'renewal')?.dueDate;
        }
        if (!periodEnd) throw new Error('no renewal deadline');
        const review = Date.parse(officeStartOfDay(plusDays(periodEnd, -SERVICE_LEVELS.renewalReviewDays)));
        await env.sleep(review - (await env.currentTimeMs()).valueOf() + 1000);
      },
    },
  };

  it.each(Object.keys(ROUTES) as (keyof typeof ROUTES)[])(
    'is withdrawn by the applicant from %s, cancelling what was pending',
    async (state) => {
      const route = ROUTES[state];
      await withCase(
        route.benefit,
        route.opts ?? {},
        async (handle, fake) => {
          await route.go(handle, fake);
          const before = await reach(env, handle, state);
          const pendingPayments = before.payments.filter((p) => p.status === 'pending').length;
          const status = await handle.executeUpdate(withdrawUpdate, {
            args: [{ actor: 'citizen', reason: 'Ja no ho necessito' }],
          });
          expect(status.state).toBe('withdrawn');
          const final = await handle.result();
          expect(final.state).toBe('withdrawn');
          expect(final.deadlines).toEqual([]);
          expect(final.pendingTask).toBeUndefined();
          expect(final.history.at(-1)).toMatchObject({ type: 'withdrawn', from: state, actor: 'citizen' });
          // What was to be paid is cancelled, never paid after the withdrawal.
          expect(final.payments.filter((p) => p.status === 'cancelled')).toHaveLength(pendingPayments);
          expect(final.closingReason).toBe(
            before.resolution?.outcome === 'granted' ? 'renounced' : 'withdrawn by the applicant',
          );
          if (state === 'paying') expect(fake.calls.payments.size).toBe(1);
          if (state === 'registered') {
            // Withdrawn while the registries were consulted: nothing is asked of the applicant afterwards.
            expect(fake.calls.notifications.map((n) => n.kind)).not.toContain('document_request');
          }
        },
        route.declared,
      );
    },
  );

  it('shows the case blocked on unavailable registries, then asks the citizen once the fallback time passes', async () => {
    await withCase('URGENCY_FOOD', { registriesDownFrom: 1 }, async (handle, fake) => {
      await until(env, () => fake.calls.registryAttempts >= 3);
      let status = await reach(env, handle, 'registered');
      expect(status.blockedOn?.sort()).toEqual(['AEAT_IRPF', 'INSS_PRESTACIONS', 'PADRO']);
      // The case view projected for the coordinators says so too (its activity follows the state).
      await until(env, () => fake.latestView()?.blockedOn?.length === 3);
      expect(status.registries?.find((r) => r.service === 'PADRO')).toMatchObject({
        state: 'unavailable',
        documents: ['RESIDENCE'],
        detail: expect.stringContaining('unavailable'),
      });
      // The office's fallback (24 h by default): then the documents are asked of the person.
      await env.sleep('25 hours');
      status = await reach(env, handle, 'awaiting_documents');
      expect(status.blockedOn).toBeUndefined();
      expect(status.documentRequest?.documents.map((d) => d.code).sort()).toEqual([
        'INCOME',
        'PUBLIC_BENEFITS',
        'RESIDENCE',
      ]);
      expect(fake.eventTypes()).toContain('registries_unavailable');
      expect(fake.calls.notifications.map((n) => n.kind)).toEqual(['document_request']);
      // One request id per service and stage, however many rounds: the record is not duplicated.
      expect(new Set(fake.calls.consultations.map((c) => c.requestId)).size).toBe(3);
      await finish(handle);
    });
  });

  it('waits while a registry outage lasts and takes its data once it ends', async () => {
    // Three services, three attempts each in a round: the first round fails, the second one answers.
    await withCase('URGENCY_FOOD', { registriesDownFrom: 1, registriesBackAt: 10 }, async (handle, fake) => {
      await until(env, () => fake.calls.registryAttempts >= 9);
      expect((await handle.query(statusQuery)).blockedOn).toHaveLength(3);
      const status = await reach(env, handle, 'assessment');
      expect(status.blockedOn).toBeUndefined();
      expect(status.documentRequest).toBeUndefined();
      expect(status.registries?.every((r) => r.state === 'obtained')).toBe(true);
      expect(fake.eventTypes()).not.toContain('registries_unavailable');
      await finish(handle);
    });
  });

  it('awaits an asynchronous answer on a durable timer, then uses it', async () => {
    await withCase('URGENCY_FOOD', { asyncPolls: { AEAT_IRPF: 2 } }, async (handle, fake) => {
      await until(env, () => fake.calls.consultations.some((c) => c.service === 'AEAT_IRPF'));
      expect(
        (await handle.query(statusQuery)).registries?.find((r) => r.service === 'AEAT_IRPF')?.state,
      ).toBe('awaiting_answer');
      await env.sleep('3 hours');
      const status = await reach(env, handle, 'assessment');
      const asked = fake.calls.consultations.filter((c) => c.service === 'AEAT_IRPF');
      expect(asked).toHaveLength(3); // asked, pending twice (an hour apart), then answered
      expect(new Set(asked.map((c) => c.requestId)).size).toBe(1);
      expect(status.registries?.find((r) => r.service === 'AEAT_IRPF')?.state).toBe('obtained');
      await finish(handle);
    });
  });

  it('asks the person for what a registry has no record of (a business outcome, not retried)', async () => {
    await withCase(
      'URGENCY_FOOD',
      { registryOutcomes: { PADRO: RejectionType.RegistryNotFound } },
      async (handle, fake) => {
        const status = await reach(env, handle, 'awaiting_documents');
        expect(status.documentRequest?.documents.map((d) => d.code)).toEqual(['RESIDENCE']);
        expect(status.registries?.find((r) => r.service === 'PADRO')).toMatchObject({
          state: 'not_obtained',
          detail: expect.stringContaining(RejectionType.RegistryNotFound),
        });
        expect(fake.calls.consultations.filter((c) => c.service === 'PADRO')).toHaveLength(1);
        expect(fake.eventTypes()).not.toContain('registries_unavailable');
        await finish(handle);
      },
    );
  });

  it('rejects an appeal on its merits, and the refusal stands', async () => {
    await withCase('URGENCY_FOOD', {}, async (handle, fake) => {
      await resolveAs(handle, 'refused');
      await accept(handle);
      await handle.executeUpdate(fileAppealUpdate, { args: [{ actor: 'admin-1', grounds: 'x' }] });
      await reach(env, handle, 'appeal');
      await handle.executeUpdate(resolveAppealUpdate, {
        args: [{ actor: 'coord-2', upheld: false, reasons: 'No aporta elements nous' }],
      });
      const status = await handle.result();
      expect(status.appeal?.outcome).toBe('dismissed');
      expect(status).toMatchObject({ state: 'closed', closingReason: 'refused' });
      expect(status.resolution?.outcome).toBe('refused');
      expect(fake.calls.payments.size).toBe(0);
      expect(fake.eventTypes()).toContain('appeal_dismissed');
    });
  });

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

  it('reassigns the case and its pending task, and keeps its search attributes current', async () => {
    await withCase('URGENCY_FOOD', {}, async (handle, fake) => {
      await reach(env, handle, 'assessment');
      const status = await handle.executeUpdate(reassignUpdate, {
        args: [{ actor: 'coord-1', assignee: 'sw-2' }],
      });
      expect(status.assignee).toBe('sw-2');
      expect(status.pendingTask?.assignee).toBe('sw-2');
      expect(fake.latestView()).toMatchObject({ assignee: 'sw-2' });
      expect(
        await rejectionType(
          handle.executeUpdate(reassignUpdate, { args: [{ actor: 'coord-1', assignee: ' ' }] }),
        ),
      ).toBe(RejectionType.InvalidInput);

      let attributes = (await handle.describe()).typedSearchAttributes;
      expect(attributes.get(stateKey)).toBe('assessment');
      expect(attributes.get(benefitKey)).toBe('URGENCY_FOOD');
      expect(attributes.get(municipalityKey)).toBe('08187');
      expect(attributes.get(assigneeKey)).toBe('sw-2');
      // The earliest running deadline (the report's service level), at the end of its last day.
      const earliest = status.deadlines.map((d) => d.dueDate).sort()[0];
      expect(earliest).toBeDefined();
      expect(attributes.get(nextDeadlineKey)?.toISOString()).toBe(
        new Date(Date.parse(officeStartOfDay(plusDays(earliest!, 1)))).toISOString(),
      );

      await finish(handle);
      attributes = (await handle.describe()).typedSearchAttributes;
      expect(attributes.get(stateKey)).toBe('withdrawn');
      expect(attributes.get(nextDeadlineKey)).toBeUndefined();
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
