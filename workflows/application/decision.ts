/**
 * The decision: the maximum time to resolve watched throughout, assessment, proposal and resolution (four
 * eyes), electronic notification, and the month to appeal. Also the updates of that phase: the assessment
 * report, the proposal, the resolution, the notification's outcome, an appeal and its decision.
 */
import { sleep } from '@temporalio/workflow';
import type { ApplicationStatus } from '../../domain/application';
import { officeDateOf, plusDays } from '../../domain/dates';
import { businessDaysBefore, computeDeadline } from '../../domain/deadlines';
import type { Deadline } from '../../domain/deadlines';
import { RejectionType } from '../../domain/errors';
import { LEGAL_PERIODS, SERVICE_LEVELS } from '../../domain/lifecycle';
import { nextSendingInstant } from '../../domain/reminders';
import { expiryOf, nowMs, startOf, today, waitUntil } from '../clock';
import type {
  AppealRequest,
  AppealResolutionRequest,
  AssessmentReportRequest,
  NotificationOutcomeRequest,
  ProposalRequest,
  ResolveRequest,
} from '../messages';
import { notices, reminderSender } from './activities';
import { reject } from './run';
import type { ApplicationRun, RunUpdate } from './run';

/** The maximum time to resolve: an alert before it runs out, and the effect of silence when it does. */
export async function watchMaxTimeToResolve(run: ApplicationRun): Promise<void> {
  const { input, status, calendar } = run;
  const done = (): boolean => status.resolution !== undefined || run.closed();
  const at = (day: (d: Deadline) => number) => () =>
    run.maxTimePaused || !run.maxTime ? undefined : day(run.maxTime);
  if (
    !(await waitUntil(
      done,
      at((d) => startOf(businessDaysBefore(calendar, d.deadline, SERVICE_LEVELS.maxTimeAlertDays))),
    ))
  ) {
    await run.recordEvent(
      'max_time_alert',
      undefined,
      `the maximum time to resolve ends on ${run.maxTime?.deadline}`,
    );
  }
  if (
    !(await waitUntil(
      done,
      at((d) => expiryOf(d.deadline)),
    ))
  ) {
    // Arts. 24-25: the effect of silence applies; the duty to resolve expressly remains.
    status.silence = { effect: input.pinned.benefit.silence, on: today() };
    await run.recordEvent(
      'silence',
      undefined,
      `maximum time to resolve reached: silence means ${input.pinned.benefit.silence}`,
    );
  }
}

async function assess(run: ApplicationRun): Promise<void> {
  const { status } = run;
  run.evaluate();
  run.report = undefined;
  run.openTask('assessment_report', SERVICE_LEVELS.assessmentReportDays);
  if (status.state !== 'assessment') await run.transition('assessment', 'assessment');
  else await run.publishView();
  await run.waitForTask(() => run.report !== undefined);
  await run.publishView();
  // The proposal follows the report (proposeResolutionUpdate moves the case to 'proposed').
  await run.waitFor(() => status.state === 'proposed');
}

/** Assessment, proposal and resolution, until a proposal is approved by a second person. */
export async function decide(run: ApplicationRun): Promise<void> {
  const { status } = run;
  for (;;) {
    if (!status.proposal) await assess(run);
    run.openTask('resolution', SERVICE_LEVELS.resolutionDays);
    await run.publishView();
    await run.waitForTask(() => run.decision !== undefined || status.proposal === undefined);
    if (run.decision === 'approved') return;
    // Sent back, or late documents reopened the assessment (art. 73.3).
    run.decision = undefined;
    status.proposal = undefined;
    if (status.state !== 'assessment') await run.transition('assessment', 'proposal_sent_back');
  }
}

/** Electronic notification: effects from acceptance, or deemed rejected after 10 calendar days (art. 43.2). */
export async function notify(run: ApplicationRun): Promise<void> {
  const { input, status, calendar } = run;
  const depositedOn = today();
  status.notification = { depositedOn };
  run.clearDeadline('max_time_to_resolve');
  await notices.depositNotification({
    applicationId: input.applicationId,
    kind: 'resolution',
    key: run.nextKey('resolution_notice'),
    language: input.applicant.language,
  });
  const rejectedOn = plusDays(depositedOn, LEGAL_PERIODS.notificationAcceptanceDays);
  run.setDeadline('notification_acceptance', { deadline: rejectedOn, legalBasis: [], provisional: false });
  if (run.reminders.enabled() && (input.applicant.email || input.applicant.phone)) {
    // A courtesy alert by email and SMS, in the sending window (never at night): not awaited, since the
    // notification's effects never wait for it.
    const alertKey = `${input.applicationId}:${run.nextKey('notification_alert')}`;
    const sendAt = nextSendingInstant(calendar, nowMs(), officeDateOf, (d) => startOf(d));
    void (async () => {
      if (sendAt > nowMs()) await sleep(sendAt - nowMs());
      if (run.closed()) return;
      await reminderSender.sendNotificationAlert({
        key: alertKey,
        applicationId: input.applicationId,
        language: input.applicant.language,
        acceptBy: rejectedOn,
        email: input.applicant.email,
        phone: input.applicant.phone,
      });
    })().catch(() => undefined);
  }
  // The figures travel with the step, for the office's indicators (amounts granted per benefit).
  await run.transition('notifying', 'resolved', status.resolution?.resolvedBy, status.resolution?.outcome, {
    outcome: status.resolution?.outcome,
    amount: status.resolution?.amount,
    instalments: status.resolution?.instalments,
  });
  const answered = await run.waitFor(
    () => status.notification?.outcome !== undefined,
    () => expiryOf(rejectedOn),
  );
  if (!answered && status.notification) {
    status.notification.outcome = 'rejected';
    status.notification.effectiveOn = rejectedOn;
    await run.recordEvent(
      'notification_deemed_rejected',
      undefined,
      `not opened in ${LEGAL_PERIODS.notificationAcceptanceDays} calendar days`,
    );
  }
  run.clearDeadline('notification_acceptance');
  const window = computeDeadline(calendar, {
    from: status.notification?.effectiveOn ?? rejectedOn,
    amount: LEGAL_PERIODS.appealMonths,
    unit: 'months',
  });
  run.setDeadline('appeal_filing', window);
  await run.publishView();
}

/** The month to appeal, and a filed appeal's own month to be resolved (silence: dismissed). */
export async function appealPeriod(run: ApplicationRun): Promise<void> {
  const { status } = run;
  const window = status.deadlines.find((d) => d.kind === 'appeal_filing');
  if (!window) return;
  const filed = await run.waitFor(
    () => status.appeal !== undefined,
    () => expiryOf(window.dueDate),
  );
  run.clearDeadline('appeal_filing');
  if (!filed || !status.appeal) {
    await run.publishView();
    return;
  }
  // The status is complete before the state changes, so nobody sees an appeal without its deadline.
  const limit = computeDeadline(run.calendar, {
    from: status.appeal.filedOn,
    amount: LEGAL_PERIODS.appealMonths,
    unit: 'months',
  });
  run.setDeadline('appeal_resolution', limit);
  run.openTask('appeal_resolution', SERVICE_LEVELS.resolutionDays);
  if (status.resolution?.outcome !== 'granted') await run.transition('appeal', 'appeal_filed');
  else await run.publishView();
  const decided = await run.waitFor(
    () => run.appealDecided,
    () => expiryOf(limit.deadline),
  );
  if (!decided && status.appeal) {
    status.appeal.outcome = 'dismissed_by_silence';
    await run.recordEvent('appeal_dismissed_by_silence', undefined, 'one month passed without a decision');
  }
  run.closeTask();
  run.clearDeadline('appeal_resolution');
  await run.publishView();
}

// ---- updates -------------------------------------------------------------------------------------------

export const submitAssessment: RunUpdate<[AssessmentReportRequest]> = {
  async handler(run, { actor, recommendation, report: text, facts: corrected }): Promise<ApplicationStatus> {
    if (corrected) run.facts = { ...run.facts, ...corrected };
    run.evaluate();
    run.report = { recommendation, by: actor };
    await run.recordEvent('assessment_report', actor, undefined, { recommendation, length: text.length });
    return run.status;
  },
  validator(run, { actor, recommendation, report: text }): void {
    run.requireActor(actor);
    run.requireState('submit the assessment report', 'assessment');
    if (run.report) reject(RejectionType.InvalidTransition, 'The report for this assessment is already in');
    if (recommendation !== 'grant' && recommendation !== 'refuse')
      reject(RejectionType.InvalidInput, 'Recommend grant or refuse');
    if (!text?.trim()) reject(RejectionType.InvalidInput, 'The report is empty');
  },
};

export const proposeResolution: RunUpdate<[ProposalRequest]> = {
  async handler(run, { actor, outcome, reasons }): Promise<ApplicationStatus> {
    const { status } = run;
    const amount = outcome === 'granted' ? status.eligibility?.amount?.amount : undefined;
    status.proposal = { outcome, reasons, amount, proposedBy: actor };
    await run.transition(
      'proposed',
      'proposed',
      actor,
      `${outcome}${amount !== undefined ? ` (${amount} €)` : ''}`,
    );
    return status;
  },
  validator(run, { actor, outcome, reasons }): void {
    const { status } = run;
    run.requireActor(actor);
    run.requireState('propose a resolution', 'assessment');
    if (!run.report)
      reject(RejectionType.InvalidTransition, 'The assessment report must come before the proposal');
    if (outcome !== 'granted' && outcome !== 'refused')
      reject(RejectionType.InvalidInput, 'Propose granted or refused');
    if (!reasons?.trim()) reject(RejectionType.InvalidInput, 'A proposal states its reasons');
    if (outcome === 'granted' && status.eligibility?.outcome !== 'eligible') {
      reject(
        RejectionType.InvalidInput,
        `Cannot propose granting: eligibility is ${status.eligibility?.outcome ?? 'not evaluated'}`,
      );
    }
    if (outcome === 'granted' && status.eligibility?.amount === undefined) {
      reject(RejectionType.InvalidInput, 'Cannot propose granting: the amount cannot be computed yet');
    }
  },
};

export const resolve: RunUpdate<[ResolveRequest]> = {
  async handler(run, { actor, approve, notes }): Promise<ApplicationStatus> {
    const { input, status } = run;
    const proposal = status.proposal;
    if (!proposal) return status;
    if (approve) {
      const schedule = input.pinned.benefit.payment.schedule;
      status.resolution = {
        outcome: proposal.outcome,
        reasons: proposal.reasons,
        amount: proposal.amount,
        instalments:
          proposal.outcome === 'granted'
            ? schedule.type === 'monthly'
              ? schedule.instalments
              : 1
            : undefined,
        proposedBy: proposal.proposedBy,
        resolvedBy: actor,
        resolvedOn: today(),
      };
      run.decision = 'approved';
    } else {
      run.decision = 'rejected';
    }
    await run.recordEvent(approve ? 'resolution_approved' : 'proposal_sent_back', actor, notes);
    return status;
  },
  validator(run, { actor }): void {
    run.requireActor(actor);
    run.requireState('resolve', 'proposed');
    if (run.status.proposal?.proposedBy === actor) {
      reject(RejectionType.FourEyesViolation, `${actor} proposed this resolution and cannot also resolve it`);
    }
  },
};

export const notificationOutcome: RunUpdate<[NotificationOutcomeRequest]> = {
  async handler(run, { outcome, on }): Promise<ApplicationStatus> {
    const { status } = run;
    if (!status.notification) return status;
    status.notification.outcome = outcome;
    status.notification.effectiveOn = on.slice(0, 10);
    await run.recordEvent(`notification_${outcome}`, 'enotum');
    return status;
  },
  validator(run, { outcome, on }): void {
    run.requireState('record the notification outcome', 'notifying');
    if (run.status.notification?.outcome)
      reject(RejectionType.InvalidTransition, 'The notification already has an outcome');
    if (outcome !== 'accepted' && outcome !== 'rejected')
      reject(RejectionType.InvalidInput, 'accepted or rejected');
    if (!/^\d{4}-\d{2}-\d{2}/.test(on ?? '')) reject(RejectionType.InvalidInput, 'on must be a date');
    // Art. 43.1-2: the notification takes effect on the day it was accessed or rejected, not before its deposit;
    // the appeal month and the first payment are counted from it. (Not after today either: the API checks that
    // against its clock, which a workflow task's time may lag behind.)
    const deposited = run.status.notification?.depositedOn;
    if (deposited && on.slice(0, 10) < deposited)
      reject(RejectionType.InvalidInput, `The outcome cannot be dated before the deposit (${deposited})`);
  },
};

export const fileAppeal: RunUpdate<[AppealRequest]> = {
  async handler(run, { actor, grounds }): Promise<ApplicationStatus> {
    run.status.appeal = { filedOn: today(), grounds };
    await run.recordEvent('appeal_filed', actor);
    return run.status;
  },
  validator(run, { actor, grounds }): void {
    const { status } = run;
    run.requireActor(actor);
    run.requireOpen('appeal');
    if (!status.resolution || !status.notification?.effectiveOn) {
      reject(RejectionType.InvalidTransition, 'Only a notified resolution can be appealed');
    }
    if (status.appeal) reject(RejectionType.InvalidTransition, 'An appeal was already filed');
    const window = status.deadlines.find((d) => d.kind === 'appeal_filing');
    if (!window || today() > window.dueDate)
      reject(RejectionType.DeadlinePassed, 'The month to appeal is over (art. 124.1)');
    if (!grounds?.trim()) reject(RejectionType.InvalidInput, 'An appeal states its grounds');
  },
};

export const resolveAppeal: RunUpdate<[AppealResolutionRequest]> = {
  async handler(run, { actor, upheld, reasons }): Promise<ApplicationStatus> {
    const { input, status } = run;
    const appeal = status.appeal;
    if (!appeal || !status.resolution) return status;
    appeal.outcome = upheld ? 'upheld' : 'dismissed';
    if (upheld && status.resolution.outcome !== 'granted') {
      run.evaluate();
      const schedule = input.pinned.benefit.payment.schedule;
      status.resolution = {
        ...status.resolution,
        outcome: 'granted',
        reasons,
        amount: status.eligibility?.amount?.amount,
        instalments: schedule.type === 'monthly' ? schedule.instalments : 1,
        resolvedBy: actor,
        resolvedOn: today(),
        onAppeal: true,
      };
    }
    run.appealDecided = true;
    await run.recordEvent(upheld ? 'appeal_upheld' : 'appeal_dismissed', actor, reasons);
    return status;
  },
  validator(run, { actor, upheld, reasons }): void {
    const { status } = run;
    run.requireActor(actor);
    if (!status.appeal || status.appeal.outcome === 'upheld' || status.appeal.outcome === 'dismissed') {
      reject(RejectionType.InvalidTransition, 'There is no appeal waiting for a decision');
    }
    if (upheld && status.resolution?.outcome !== 'granted' && status.eligibility?.amount === undefined) {
      reject(
        RejectionType.InvalidInput,
        'Upholding the appeal needs an amount: complete the assessment facts first',
      );
    }
    if (!reasons?.trim()) reject(RejectionType.InvalidInput, 'A decision states its reasons');
  },
};
