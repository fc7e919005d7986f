/**
 * Every query and update of the application workflow, registered in one place on the run they act on; each
 * update with its validator. The updates of one phase live with that phase (intake, decision, payment); the
 * actions open at any time (withdrawal, cancellation, escalation, retry now, change of circumstances,
 * reassignment) live here.
 */
import { condition, setHandler } from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import type { ApplicationStatus } from '../../domain/application';
import { RejectionType } from '../../domain/errors';
import { nowIso } from '../clock';
import {
  cancelUpdate,
  escalateUpdate,
  extendDocumentDeadlineUpdate,
  fileAppealUpdate,
  notificationOutcomeUpdate,
  proposeResolutionUpdate,
  reassignUpdate,
  recordRepaymentUpdate,
  reportChangeUpdate,
  resolveAppealUpdate,
  resolveUpdate,
  retryNowUpdate,
  retryPaymentUpdate,
  statusQuery,
  submitAssessmentUpdate,
  submitDocumentsUpdate,
  submitJustificationUpdate,
  withdrawUpdate,
} from '../messages';
import type {
  CancelRequest,
  ChangeOfCircumstancesRequest,
  EscalateRequest,
  ReassignRequest,
  RetryNowRequest,
  WithdrawRequest,
} from '../messages';
import { reminderSender } from './activities';
import {
  fileAppeal,
  notificationOutcome,
  proposeResolution,
  resolve,
  resolveAppeal,
  submitAssessment,
} from './decision';
import { extendDocumentDeadline, submitDocuments } from './intake';
import { recordRepayment, retryPayment, submitJustification } from './payment';
import { reject } from './run';
import type { ApplicationRun, RunUpdate } from './run';

// ---- the actions open at any time ----------------------------------------------------------------------

const withdraw: RunUpdate<[WithdrawRequest]> = {
  async handler(run, { actor, reason }): Promise<ApplicationStatus> {
    const { status } = run;
    // A withdrawal filed while the entry is still being recorded waits for it.
    await condition(() => status.state !== 'submitted');
    if (run.closed()) return status;
    for (const p of status.payments)
      if (p.status === 'pending' || p.status === 'failed') p.status = 'cancelled';
    status.closingReason =
      status.resolution?.outcome === 'granted' ? 'renounced' : 'withdrawn by the applicant';
    await run.transition('withdrawn', 'withdrawn', actor, reason);
    return status;
  },
  validator(run, { actor }): void {
    run.requireOpen('withdraw');
    run.requireActor(actor);
  },
};

const retryNow: RunUpdate<[RetryNowRequest]> = {
  async handler(run, { actor, reason }): Promise<ApplicationStatus> {
    run.retryNowRequests++;
    await run.recordEvent('retry_now', actor, reason);
    return run.status;
  },
  validator(run, { actor }): void {
    run.requireOpen('retry now');
    run.requireActor(actor);
    if (!run.status.registries?.some((r) => r.state === 'unavailable' || r.state === 'awaiting_answer')) {
      reject(
        RejectionType.InvalidTransition,
        'Nothing is waiting to be retried: no registry is unavailable or awaited (a failed payment is retried with retryPayment)',
      );
    }
  },
};

const escalate: RunUpdate<[EscalateRequest]> = {
  async handler(run, { actor, reason }): Promise<ApplicationStatus> {
    const { input, status } = run;
    const at = nowIso();
    status.escalation = { by: actor, reason: reason.trim(), at };
    await run.recordEvent('escalated', actor, reason.trim());
    // Told by email; a courtesy that never holds the case.
    reminderSender
      .sendEscalation({
        key: `${input.applicationId}:${run.nextKey('escalation')}`,
        applicationId: input.applicationId,
        municipalityCode: input.municipalityCode,
        assignee: status.assignee,
        by: actor,
        reason: reason.trim(),
      })
      .catch(() => undefined);
    return status;
  },
  validator(run, { actor, reason }): void {
    run.requireOpen('escalate');
    run.requireActor(actor);
    if (!reason?.trim()) reject(RejectionType.InvalidInput, 'Say what needs attention');
  },
};

const cancel: RunUpdate<[CancelRequest]> = {
  async handler(run, { actor, reason }): Promise<ApplicationStatus> {
    const { status } = run;
    await condition(() => status.state !== 'submitted');
    if (run.closed()) return status;
    status.closingReason = `cancelled by the office: ${reason.trim()}`;
    await run.transition('closed', 'cancelled', actor, reason.trim());
    return status;
  },
  validator(run, { actor, reason }): void {
    const { status } = run;
    run.requireOpen('cancel');
    run.requireActor(actor);
    if (status.resolution || status.proposal?.outcome === 'withdrawal') {
      reject(
        RejectionType.InvalidTransition,
        'A resolved case is not cancelled: it is revoked (change of circumstances) or renounced (withdrawal)',
      );
    }
    if (!reason?.trim()) reject(RejectionType.InvalidInput, 'Say why the case is cancelled');
  },
};

const reportChange: RunUpdate<[ChangeOfCircumstancesRequest]> = {
  async handler(run, { actor, description, facts: changed }): Promise<ApplicationStatus> {
    const { status } = run;
    run.facts = { ...run.facts, ...changed };
    run.evaluate();
    await run.recordEvent('change_of_circumstances', actor, description);
    if (status.resolution?.outcome === 'granted' && status.state === 'paying') {
      if (status.eligibility?.outcome === 'not_eligible') {
        // The conditions are no longer met: the aid is revoked and no further payment is made.
        run.revoked = true;
        for (const p of status.payments)
          if (p.status === 'pending' || p.status === 'failed') p.status = 'cancelled';
        await run.recordEvent('revoked', actor, description);
      } else if (status.eligibility?.amount) {
        const amount = status.eligibility.amount.amount;
        status.resolution.amount = amount;
        for (const p of status.payments) if (p.status === 'pending') p.amount = amount;
      }
    }
    return status;
  },
  validator(run, { actor, description }): void {
    run.requireActor(actor);
    run.requireOpen('report a change of circumstances');
    if (run.status.state === 'submitted')
      reject(RejectionType.InvalidTransition, 'The application is still being registered');
    if (!description?.trim()) reject(RejectionType.InvalidInput, 'Describe the change');
  },
};

const reassign: RunUpdate<[ReassignRequest]> = {
  async handler(run, { actor, assignee, reason }): Promise<ApplicationStatus> {
    const { status } = run;
    const from = status.assignee;
    status.assignee = assignee;
    if (status.pendingTask) status.pendingTask.assignee = assignee;
    await run.recordEvent(
      'reassigned',
      actor,
      `${from ?? '(nobody)'} → ${assignee}${reason ? `: ${reason}` : ''}`,
      {
        from: from ?? null,
        to: assignee,
      },
    );
    await run.publishView();
    return status;
  },
  validator(run, { actor, assignee }): void {
    run.requireActor(actor);
    run.requireOpen('reassign');
    if (!assignee?.trim()) reject(RejectionType.InvalidInput, 'Name the new assignee');
  },
};

// ---- registration ------------------------------------------------------------------------------------

/**
 * Sets the handlers on `run`. Called before the workflow's first await, so that no message arrives before
 * its handler (the state they read is initialised by the run's constructor).
 */
export function registerHandlers(run: ApplicationRun): void {
  /** An update with its validator, typed from its definition (the SDK's options leave validators untyped). */
  function setUpdate<Args extends [unknown, ...unknown[]]>(
    def: UpdateDefinition<ApplicationStatus, Args>,
    update: RunUpdate<Args>,
  ): void {
    setHandler(def, (...args: Args) => update.handler(run, ...args), {
      validator: (...args: Args) => update.validator(run, ...args),
    });
  }

  setHandler(statusQuery, () => run.status);
  setUpdate(withdrawUpdate, withdraw);
  setUpdate(retryNowUpdate, retryNow);
  setUpdate(escalateUpdate, escalate);
  setUpdate(cancelUpdate, cancel);
  setUpdate(submitDocumentsUpdate, submitDocuments);
  setUpdate(extendDocumentDeadlineUpdate, extendDocumentDeadline);
  setUpdate(submitAssessmentUpdate, submitAssessment);
  setUpdate(proposeResolutionUpdate, proposeResolution);
  setUpdate(resolveUpdate, resolve);
  setUpdate(notificationOutcomeUpdate, notificationOutcome);
  setUpdate(fileAppealUpdate, fileAppeal);
  setUpdate(resolveAppealUpdate, resolveAppeal);
  setUpdate(submitJustificationUpdate, submitJustification);
  setUpdate(recordRepaymentUpdate, recordRepayment);
  setUpdate(retryPaymentUpdate, retryPayment);
  setUpdate(reportChangeUpdate, reportChange);
  setUpdate(reassignUpdate, reassign);
}
