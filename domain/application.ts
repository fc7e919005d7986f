/**
 * The application (expedient) as the workflow, the projection and the API see it.
 */
import type { BenefitCode } from './benefits';
import type { MunicipalityCode } from './municipalities';
import type { DocumentType } from './identity';
import type { PinnedBenefit } from './catalogue';
import type { IsoDate } from './dates';

export const APPLICATION_STATES = ['submitted', 'registered', 'withdrawn'] as const;
export type ApplicationState = (typeof APPLICATION_STATES)[number];

/** States in which the case is over: nothing may change it any more. */
export const CLOSED_STATES: readonly ApplicationState[] = ['withdrawn'];

export type Language = 'ca' | 'es';

export interface Applicant {
  firstName: string;
  lastName: string;
  documentType: DocumentType;
  documentNumber: string;
  language: Language;
  email?: string | undefined;
  phone?: string | undefined;
}

/** What the workflow receives at start: the application as filed, already validated by the API. */
export interface ApplicationInput {
  applicationId: string;
  municipalityCode: MunicipalityCode;
  benefitCode: BenefitCode;
  applicant: Applicant;
  /** When the filing entered the registry (ISO 8601). */
  submittedAt: string;
  /** The day the filing counts from: its own, or the next business day when filed on a non-business day (art. 31). */
  effectiveFilingDate: IsoDate;
  /** The catalogue version in force on the effective filing date, with the benefit's definition (pinned). */
  pinned: PinnedBenefit;
  /** Staff member who registered it, or 'citizen' for an online filing. */
  submittedBy: string;
}

export interface StepRecord {
  at: string;
  type: string;
  from?: ApplicationState | undefined;
  to?: ApplicationState | undefined;
  actor?: string | undefined;
  note?: string | undefined;
}

/** The one status object the workflow answers to queries. */
export interface ApplicationStatus {
  applicationId: string;
  municipalityCode: MunicipalityCode;
  benefitCode: BenefitCode;
  state: ApplicationState;
  submittedAt: string;
  effectiveFilingDate: IsoDate;
  catalogueVersion: string;
  registeredAt?: string | undefined;
  closedAt?: string | undefined;
  history: StepRecord[];
}

export function isClosed(state: ApplicationState): boolean {
  return CLOSED_STATES.includes(state);
}

/**
 * Application numbers: municipality, year of entry and a sequence per municipality and year, as a registry
 * book numbers its entries (08305-2026-000042). They are also the workflow ids.
 */
export function formatApplicationNumber(municipalityCode: string, year: number, sequence: number): string {
  return `${municipalityCode}-${year}-${String(sequence).padStart(6, '0')}`;
}

export const APPLICATION_NUMBER_PATTERN = /^\d{5}-\d{4}-\d{6,}$/;
