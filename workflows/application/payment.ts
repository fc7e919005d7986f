/**
 * After a grant: the payments (one-off or monthly, each with an idempotency key, escalated to staff when
 * the treasury keeps failing), the justification of the aid, and the repayment of what is not justified.
 * Also the updates of that phase: the justification reviewed, a repayment received, a failed payment retried.
 */
import { ActivityFailure, patched } from '@temporalio/workflow';
import type { ApplicationStatus, PaymentRecord } from '../../domain/application';
import { plusMonths } from '../../domain/dates';
import type { IsoDate } from '../../domain/dates';
import { computeDeadline } from '../../domain/deadlines';
import { RejectionType } from '../../domain/errors';
import { LEGAL_PERIODS } from '../../domain/lifecycle';
import { expiryOf, startOf, today } from '../clock';
import type { JustificationRequest, RepaymentRequest } from '../messages';
import { treasury } from './activities';
import { VIEWS_FOLLOW_DEADLINES_PATCH } from './patches';
import { reject } from './run';
import type { ApplicationRun, RunUpdate } from './run';

// Read through a function: handlers change it while the main flow awaits, which narrowing cannot see.
const cancelled = (p: PaymentRecord): boolean => p.status === 'cancelled';

function paidTotal(status: ApplicationStatus): number {
  return (
    Math.round(status.payments.filter((p) => p.status === 'paid').reduce((s, p) => s + p.amount, 0) * 100) /
    100
  );
}

/** One-off or monthly payments; each with an idempotency key, retried, then escalated to staff. */
export async function pay(run: ApplicationRun, firstDue: IsoDate): Promise<void> {
  const { input, status } = run;
  const resolution = status.resolution;
  if (!resolution?.amount || !resolution.instalments) return;
  const planned: PaymentRecord[] = [];
  for (let i = 1; i <= resolution.instalments; i++) {
    planned.push({
      key: `${input.applicationId}:p${status.period}:i${i}`,
      instalment: i,
      amount: resolution.amount,
      dueDate: plusMonths(firstDue, i - 1),
      status: 'pending',
    });
  }
  status.payments = planned;
  if (status.state !== 'paying')
    await run.transition(
      'paying',
      'payments_scheduled',
      undefined,
      `${planned.length} × ${resolution.amount} €`,
    );
  for (const payment of planned) {
    await run.waitFor(
      () => run.revoked || payment.status === 'cancelled',
      () => startOf(payment.dueDate),
    );
    if (run.revoked || payment.status === 'cancelled') continue;
    for (;;) {
      try {
        await treasury.orderPayment({
          applicationId: input.applicationId,
          key: payment.key,
          instalment: payment.instalment,
          amount: payment.amount,
          recipient: input.pinned.benefit.payment.recipient,
          dueDate: payment.dueDate,
        });
        payment.status = 'paid';
        await run.recordEvent(
          'payment_ordered',
          undefined,
          `${payment.instalment}/${planned.length}: ${payment.amount} €`,
          { key: payment.key },
        );
        break;
      } catch (err) {
        if (!(err instanceof ActivityFailure)) throw err;
        payment.status = 'failed';
        run.openTask('payment_failure', 1);
        await run.recordEvent(
          'payment_failed',
          undefined,
          `${payment.key}: retries exhausted, escalated to staff`,
        );
        run.retryRequested = false;
        await run.waitFor(() => run.retryRequested || cancelled(payment));
        run.closeTask();
        if (cancelled(payment)) break;
        payment.status = 'pending';
      }
    }
    await run.publishView();
  }
}

/** Receipts by the ordinance's deadline; missing or insufficient justification opens repayment. */
export async function justify(run: ApplicationRun): Promise<void> {
  const { input, status } = run;
  const rule = input.pinned.benefit.justification;
  const paid = paidTotal(status);
  if (!rule.required || paid === 0) return;
  const lastPaid = status.payments.filter((p) => p.status === 'paid').at(-1)?.dueDate ?? today();
  const due = computeDeadline(run.calendar, {
    from: lastPaid,
    amount: rule.deadline.amount,
    unit: rule.deadline.unit,
  });
  status.justification = { dueDate: due.deadline };
  run.setDeadline('justification', due);
  await run.transition('awaiting_justification', 'justification_due', undefined, due.deadline);
  const reviewed = await run.waitFor(
    () => status.justification?.verdict !== undefined,
    () => expiryOf(due.deadline),
  );
  run.clearDeadline('justification');
  if (!reviewed && status.justification) {
    status.justification.verdict = 'missing';
    await run.recordEvent('justification_missing', undefined, `no receipts by ${due.deadline}`);
  }
  const verdict = status.justification?.verdict;
  const owed =
    verdict === 'accepted'
      ? 0
      : verdict === 'partial'
        ? paid - (status.justification?.acceptedAmount ?? 0)
        : paid;
  if (owed > 0) await repay(run, Math.round(owed * 100) / 100);
  else if (patched(VIEWS_FOLLOW_DEADLINES_PATCH)) await run.publishView();
}

/** Reintegrament: the amount due, and 12 months before the procedure lapses (Llei 38/2003 art. 42.4). */
async function repay(run: ApplicationRun, amount: number): Promise<void> {
  const { status } = run;
  const openedOn = today();
  const lapses = computeDeadline(run.calendar, {
    from: openedOn,
    amount: LEGAL_PERIODS.repaymentMonths,
    unit: 'months',
  });
  status.repayment = { amount, openedOn, lapsesOn: lapses.deadline };
  run.setDeadline('repayment', lapses);
  await run.transition('repayment', 'repayment_opened', undefined, `${amount} €`);
  const recovered = await run.waitFor(
    () => run.repaid >= amount - 0.001,
    () => expiryOf(lapses.deadline),
  );
  status.repayment.outcome = recovered ? 'recovered' : 'lapsed';
  run.clearDeadline('repayment');
  await run.recordEvent(
    recovered ? 'repayment_recovered' : 'repayment_lapsed',
    undefined,
    `${run.repaid} of ${amount} €`,
  );
  if (patched(VIEWS_FOLLOW_DEADLINES_PATCH)) await run.publishView();
}

// ---- updates -------------------------------------------------------------------------------------------

export const submitJustification: RunUpdate<[JustificationRequest]> = {
  async handler(run, { actor, verdict, acceptedAmount }): Promise<ApplicationStatus> {
    const { status } = run;
    if (!status.justification) return status;
    status.justification.verdict = verdict;
    status.justification.acceptedAmount = verdict === 'partial' ? acceptedAmount : undefined;
    await run.recordEvent(`justification_${verdict}`, actor);
    return status;
  },
  validator(run, { actor, verdict, acceptedAmount }): void {
    run.requireActor(actor);
    run.requireState('review the justification', 'awaiting_justification');
    if (!['accepted', 'partial', 'rejected'].includes(verdict))
      reject(RejectionType.InvalidInput, 'accepted, partial or rejected');
    const paid = paidTotal(run.status);
    if (
      verdict === 'partial' &&
      (acceptedAmount === undefined || acceptedAmount <= 0 || acceptedAmount >= paid)
    ) {
      reject(
        RejectionType.InvalidInput,
        `A partial justification accepts more than 0 and less than the ${paid} € paid`,
      );
    }
  },
};

export const recordRepayment: RunUpdate<[RepaymentRequest]> = {
  async handler(run, { actor, amount }): Promise<ApplicationStatus> {
    const { status } = run;
    run.repaid = Math.round((run.repaid + amount) * 100) / 100;
    if (status.repayment) status.repayment.recovered = run.repaid;
    await run.recordEvent('repayment_received', actor, `${amount} €`);
    return status;
  },
  validator(run, { actor, amount }): void {
    run.requireActor(actor);
    run.requireState('record a repayment', 'repayment');
    const due = (run.status.repayment?.amount ?? 0) - run.repaid;
    if (!(amount > 0) || amount > due + 0.001)
      reject(RejectionType.InvalidInput, `A repayment is more than 0 and at most the ${due} € due`);
  },
};

export const retryPayment: RunUpdate<[{ actor: string }]> = {
  async handler(run, { actor }): Promise<ApplicationStatus> {
    run.retryRequested = true;
    await run.recordEvent('payment_retry_requested', actor);
    return run.status;
  },
  validator(run, { actor }): void {
    run.requireActor(actor);
    run.requireState('retry a payment', 'paying');
    if (!run.status.payments.some((p) => p.status === 'failed'))
      reject(RejectionType.InvalidTransition, 'No payment has failed');
  },
};
