/**
 * Signals, queries and updates of the application workflow, defined once: the workflow sets handlers for
 * them and the API calls them, so a renamed message breaks the build rather than a running case.
 * Every update names the staff member (`actor`) who acts; validators refuse an action the case's state
 * does not allow, with the reason, before anything is recorded.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ApplicationStatus, DeclaredFacts, ResolutionOutcome } from '../domain/application';

export const statusQuery = defineQuery<ApplicationStatus>('status');

interface Action {
  /** The staff member, or 'citizen' for the applicant's own filings. */
  actor: string;
}

export interface WithdrawRequest extends Action {
  reason?: string | undefined;
}
/** The applicant withdraws the application (art. 94), or renounces a granted aid. */
export const withdrawUpdate = defineUpdate<ApplicationStatus, [WithdrawRequest]>('withdraw');

export interface SubmitDocumentsRequest extends Action {
  /** Codes of the requested documents delivered now; documents may arrive in parts. */
  documents: string[];
}
export const submitDocumentsUpdate = defineUpdate<ApplicationStatus, [SubmitDocumentsRequest]>(
  'submitDocuments',
);

export interface ExtendDocumentDeadlineRequest extends Action {
  /** Business days, at most 5 (art. 68.2). */
  days: number;
}
export const extendDocumentDeadlineUpdate = defineUpdate<ApplicationStatus, [ExtendDocumentDeadlineRequest]>(
  'extendDocumentDeadline',
);

export interface AssessmentReportRequest extends Action {
  recommendation: 'grant' | 'refuse';
  /** The technical or social report; professional notes stay in the case's record. */
  report: string;
  /** Facts the professional confirmed or corrected, re-evaluated before the proposal. */
  facts?: DeclaredFacts | undefined;
}
export const submitAssessmentUpdate = defineUpdate<ApplicationStatus, [AssessmentReportRequest]>(
  'submitAssessment',
);

export interface ProposalRequest extends Action {
  outcome: Exclude<ResolutionOutcome, 'withdrawal'>;
  reasons: string;
}
export const proposeResolutionUpdate = defineUpdate<ApplicationStatus, [ProposalRequest]>(
  'proposeResolution',
);

export interface ResolveRequest extends Action {
  /** False sends the proposal back to assessment. */
  approve: boolean;
  notes?: string | undefined;
}
/** Four-eyes: who proposed cannot resolve. */
export const resolveUpdate = defineUpdate<ApplicationStatus, [ResolveRequest]>('resolve');

export interface NotificationOutcomeRequest {
  /** What the electronic notification service reported. */
  outcome: 'accepted' | 'rejected';
  on: string;
}
export const notificationOutcomeUpdate = defineUpdate<ApplicationStatus, [NotificationOutcomeRequest]>(
  'notificationOutcome',
);

export interface AppealRequest extends Action {
  grounds: string;
}
/** Recurs de reposició: one month from the notification's legal effect. */
export const fileAppealUpdate = defineUpdate<ApplicationStatus, [AppealRequest]>('fileAppeal');

export interface AppealResolutionRequest extends Action {
  upheld: boolean;
  reasons: string;
}
export const resolveAppealUpdate = defineUpdate<ApplicationStatus, [AppealResolutionRequest]>(
  'resolveAppeal',
);

export interface JustificationRequest extends Action {
  verdict: 'accepted' | 'partial' | 'rejected';
  /** With a partial verdict: the amount the receipts justify. */
  acceptedAmount?: number | undefined;
}
export const submitJustificationUpdate = defineUpdate<ApplicationStatus, [JustificationRequest]>(
  'submitJustification',
);

export interface RepaymentRequest extends Action {
  amount: number;
}
export const recordRepaymentUpdate = defineUpdate<ApplicationStatus, [RepaymentRequest]>('recordRepayment');

/** A failed payment escalated to staff is tried again. */
export const retryPaymentUpdate = defineUpdate<ApplicationStatus, [Action]>('retryPayment');

export interface ChangeOfCircumstancesRequest extends Action {
  description: string;
  facts: DeclaredFacts;
}
export const reportChangeUpdate = defineUpdate<ApplicationStatus, [ChangeOfCircumstancesRequest]>(
  'reportChangeOfCircumstances',
);

export interface ReassignRequest extends Action {
  assignee: string;
  /** Why, as the coordinator put it; kept on the case's timeline. */
  reason?: string | undefined;
}
export const reassignUpdate = defineUpdate<ApplicationStatus, [ReassignRequest]>('reassign');

export interface RetryNowRequest extends Action {
  reason?: string | undefined;
}
/** A coordinator asks the registries the case is waiting on again now, instead of at the next scheduled round. */
export const retryNowUpdate = defineUpdate<ApplicationStatus, [RetryNowRequest]>('retryNow');

export interface CancelRequest extends Action {
  /** Why the office closes the case (a duplicate, filed by mistake): required, kept on the timeline. */
  reason: string;
}
/** The office closes a case before it is resolved; a resolved case is revoked or renounced instead. */
export const cancelUpdate = defineUpdate<ApplicationStatus, [CancelRequest]>('cancel');

export interface EscalateRequest extends Action {
  /** What needs attention, as the person who escalates puts it. */
  reason: string;
}
/** Raises a case to the municipality's coordinators (and its assignee), who are told by email. */
export const escalateUpdate = defineUpdate<ApplicationStatus, [EscalateRequest]>('escalate');
