/**
 * The case actions of the staff API, one row each: the path under /applications/{id}, the permission it
 * needs, the body it takes, the workflow update it becomes, and what it does besides (its effects, run by
 * services/case-actions.ts before the update). The router and the OpenAPI document are both built from this
 * table, so an action cannot be served without being documented, or the other way round.
 */
import type { z } from 'zod';
import type { UpdateDefinition } from '@temporalio/common';
import type { CaseAction, StaffMember } from '../../../domain/access';
import type { ApplicationStatus } from '../../../domain/application';
import { declaredFacts } from '../../../domain/intake';
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
  submitAssessmentUpdate,
  submitDocumentsUpdate,
  submitJustificationUpdate,
  withdrawUpdate,
  retryNowUpdate,
  cancelUpdate,
  escalateUpdate,
} from '../../../workflows/messages';
import { assigneeIsColleague, reportKeptAsNote } from '../../../services/case-actions';
import type { CaseActionEffect } from '../../../services/case-actions';
import { actionBodies } from './schemas';

export interface CaseActionRoute<B extends z.ZodType = z.ZodType> {
  /** Path segment under /applications/{id}/. */
  path: string;
  permission: CaseAction;
  summary: string;
  body: B;
  update: UpdateDefinition<ApplicationStatus, [unknown]>;
  /** The update's argument, from the parsed body and the authenticated staff member (the actor). */
  args: (body: z.output<B>, staff: StaffMember) => unknown;
  /** What the action does besides its update: checks and writes outside the workflow. */
  effects?: readonly CaseActionEffect<unknown>[];
}

/** Keeps each row's body and argument types together while the table is one array. */
function route<B extends z.ZodType, A>(r: {
  path: string;
  permission: CaseAction;
  summary: string;
  body: B;
  update: UpdateDefinition<ApplicationStatus, [A]>;
  args: (body: z.output<B>, staff: StaffMember) => A;
  effects?: readonly CaseActionEffect<A>[];
}): CaseActionRoute {
  return r as unknown as CaseActionRoute;
}

export const CASE_ACTION_ROUTES: readonly CaseActionRoute[] = [
  route({
    path: 'documents',
    permission: 'submit_documents',
    summary: 'Record requested documents as delivered (they may arrive in parts)',
    body: actionBodies.documents,
    update: submitDocumentsUpdate,
    args: (b, s) => ({ actor: s.id, documents: b.documents }),
  }),
  route({
    path: 'document-deadline-extension',
    permission: 'extend_deadline',
    summary: 'Extend the period to remedy by up to 5 business days (art. 68.2), once',
    body: actionBodies.extension,
    update: extendDocumentDeadlineUpdate,
    args: (b, s) => ({ actor: s.id, days: b.days }),
  }),
  route({
    path: 'assessment',
    permission: 'submit_assessment',
    summary: 'Submit the technical or social report with a recommendation',
    body: actionBodies.assessment,
    update: submitAssessmentUpdate,
    args: (b, s) => ({
      actor: s.id,
      recommendation: b.recommendation,
      report: b.report,
      facts: declaredFacts(b.facts),
    }),
    effects: [reportKeptAsNote],
  }),
  route({
    path: 'proposal',
    permission: 'propose',
    summary: 'Propose the resolution (granted or refused, with reasons)',
    body: actionBodies.proposal,
    update: proposeResolutionUpdate,
    args: (b, s) => ({ actor: s.id, outcome: b.outcome, reasons: b.reasons }),
  }),
  route({
    path: 'resolution',
    permission: 'resolve',
    summary: 'Resolve on the proposal (four eyes: not by who proposed), or send it back',
    body: actionBodies.resolution,
    update: resolveUpdate,
    args: (b, s) => ({ actor: s.id, approve: b.approve, notes: b.notes }),
  }),
  route({
    path: 'notification',
    permission: 'record_notification',
    summary: 'Record the outcome of the electronic notification (accepted or rejected, and when)',
    body: actionBodies.notification,
    update: notificationOutcomeUpdate,
    args: (b) => ({ outcome: b.outcome, on: b.on }),
  }),
  route({
    path: 'appeal',
    permission: 'file_appeal',
    summary: 'File an appeal (recurs de reposició) within a month of the notification',
    body: actionBodies.appeal,
    update: fileAppealUpdate,
    args: (b, s) => ({ actor: s.id, grounds: b.grounds }),
  }),
  route({
    path: 'appeal-resolution',
    permission: 'resolve_appeal',
    summary: 'Resolve the appeal (upheld or dismissed, with reasons)',
    body: actionBodies.appealResolution,
    update: resolveAppealUpdate,
    args: (b, s) => ({ actor: s.id, upheld: b.upheld, reasons: b.reasons }),
  }),
  route({
    path: 'justification',
    permission: 'review_justification',
    summary: 'Review the expense justification (accepted, partial with the accepted amount, rejected)',
    body: actionBodies.justification,
    update: submitJustificationUpdate,
    args: (b, s) => ({ actor: s.id, verdict: b.verdict, acceptedAmount: b.acceptedAmount }),
  }),
  route({
    path: 'repayments',
    permission: 'record_repayment',
    summary: 'Record an amount repaid during a repayment (reintegrament)',
    body: actionBodies.repayment,
    update: recordRepaymentUpdate,
    args: (b, s) => ({ actor: s.id, amount: b.amount }),
  }),
  route({
    path: 'payment-retry',
    permission: 'retry_payment',
    summary: 'Try an escalated failed payment again (same idempotency key: never paid twice)',
    body: actionBodies.paymentRetry,
    update: retryPaymentUpdate,
    args: (_b, s) => ({ actor: s.id }),
  }),
  route({
    path: 'change-of-circumstances',
    permission: 'report_change',
    summary: 'Report a change of circumstances: eligibility is re-evaluated, possibly revoking the aid',
    body: actionBodies.change,
    update: reportChangeUpdate,
    args: (b, s) => ({ actor: s.id, description: b.description, facts: declaredFacts(b.facts) ?? {} }),
  }),
  route({
    path: 'withdrawal',
    permission: 'withdraw',
    summary: 'The applicant withdraws the application, or renounces a granted aid',
    body: actionBodies.withdrawal,
    update: withdrawUpdate,
    args: (b, s) => ({ actor: s.id, reason: b.reason }),
  }),
  route({
    path: 'assignment',
    permission: 'reassign',
    summary: 'Reassign the case and its pending task to a staff member of its municipality',
    body: actionBodies.assignment,
    update: reassignUpdate,
    args: (b, s) => ({ actor: s.id, assignee: b.assignee, reason: b.reason }),
    effects: [assigneeIsColleague],
  }),
  route({
    path: 'retry-now',
    permission: 'retry_step',
    summary: 'Ask the registries the case waits on again now, instead of at the next scheduled round',
    body: actionBodies.retryNow,
    update: retryNowUpdate,
    args: (b, s) => ({ actor: s.id, reason: b.reason }),
  }),
  route({
    path: 'escalation',
    permission: 'escalate',
    summary: "Raise the case to the municipality's coordinators (told by email), saying what needs attention",
    body: actionBodies.escalation,
    update: escalateUpdate,
    args: (b, s) => ({ actor: s.id, reason: b.reason }),
  }),
  route({
    path: 'cancellation',
    permission: 'cancel',
    summary: 'Close a case before its resolution (a duplicate, filed by mistake), saying why',
    body: actionBodies.cancellation,
    update: cancelUpdate,
    args: (b, s) => ({ actor: s.id, reason: b.reason }),
  }),
];
