/**
 * Signals, queries and updates of the application workflow, defined once: the workflow sets handlers for
 * them and the API calls them, so a renamed message breaks the build rather than a running case.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ApplicationStatus } from '../domain/application';

export const statusQuery = defineQuery<ApplicationStatus>('status');

export interface WithdrawRequest {
  /** Who records the withdrawal: the staff member, or 'citizen' when filed by the applicant. */
  actor: string;
  reason?: string;
}

/** The applicant withdraws the application (desistiment a instància de part, art. 94 Llei 39/2015). */
export const withdrawUpdate = defineUpdate<ApplicationStatus, [WithdrawRequest]>('withdraw');
