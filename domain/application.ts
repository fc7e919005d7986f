/**
 * The application (expedient) as the workflow, the projection and the API see it.
 */
import type { BenefitCode } from './benefits';
import type { MunicipalityCode } from './municipalities';
import type { DocumentType } from './identity';
import type { PinnedBenefit } from './catalogue';
import type { IsoDate } from './dates';
import type { EligibilityResult, HouseholdMember } from './eligibility';
import type { DeadlineKind, RunningDeadline } from './deadlines';
import type { CalendarData } from './calendar';

/**
 * Where a case stands. The lifecycle (../shared/domain.md): registered → documents → assessment → proposal →
 * resolution → notification → payments → justification → renewal, with appeal, repayment and withdrawal.
 */
export const APPLICATION_STATES = [
  'submitted',
  'registered',
  'awaiting_documents',
  'assessment',
  'proposed',
  'notifying',
  'appeal',
  'paying',
  'awaiting_justification',
  'repayment',
  'renewal_review',
  'closed',
  'withdrawn',
] as const;
export type ApplicationState = (typeof APPLICATION_STATES)[number];

/** States in which the case waits on the person, on staff, or on another administration. */
export type WaitingParty = 'citizen' | 'staff' | 'administration';

export const WAITING_ON: Record<string, WaitingParty | undefined> = {
  submitted: 'staff',
  registered: 'administration',
  awaiting_documents: 'citizen',
  assessment: 'staff',
  proposed: 'staff',
  notifying: 'citizen',
  appeal: 'staff',
  paying: 'administration',
  awaiting_justification: 'citizen',
  repayment: 'citizen',
  renewal_review: 'administration',
};

/** States in which the case is over: nothing may change it any more. */
export const CLOSED_STATES: readonly ApplicationState[] = ['closed', 'withdrawn'];

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

/** What the person declared at filing; registries confirm or replace it. */
export interface DeclaredFacts {
  birthDate?: IsoDate | undefined;
  household?: HouseholdMember[] | undefined;
  monthlyIncome?: number | undefined;
  savings?: number | undefined;
  /** The cost the aid is asked for (a bill, a month's rent). */
  cost?: number | undefined;
  residenceSince?: IsoDate | undefined;
}

export interface FiledHouseholdMember {
  firstName: string;
  lastName?: string | undefined;
  documentNumber?: string | undefined;
  birthDate: IsoDate;
  relationship: string;
}

export interface FiledIncome {
  member: 'applicant' | number;
  source: string;
  monthlyAmount: number;
}

/** What the workflow receives at start: the application as filed, already validated by the API. */
export interface ApplicationInput {
  applicationId: string;
  municipalityCode: MunicipalityCode;
  benefitCode: BenefitCode;
  applicant: Applicant;
  declared?: DeclaredFacts | undefined;
  /** Checklist codes of the documents handed in with the filing. */
  attachedDocuments?: string[] | undefined;
  /** When the filing entered the registry (ISO 8601). */
  submittedAt: string;
  /** The day the filing counts from: its own, or the next business day when filed on a non-business day (art. 31). */
  effectiveFilingDate: IsoDate;
  /** The catalogue version in force on the effective filing date, with the benefit's definition (pinned). */
  pinned: PinnedBenefit;
  /** The holiday calendars of the municipality, as loaded when the period started. */
  calendar: CalendarData;
  /** Registries the person objected to, and express consent for tax data (art. 28.2). */
  consent: { objections: string[]; taxConsent: boolean };
  /** The other members of the household as filed (the applicant is not listed). */
  householdMembers?: FiledHouseholdMember[] | undefined;
  /** Regular incomes as filed: `member` is 'applicant' or an index into householdMembers. */
  incomes?: FiledIncome[] | undefined;
  /** Where a granted aid is paid. */
  bankAccount?: { iban: string; holder: string } | undefined;
  /** Staff member who registered it, or 'citizen' for an online filing. */
  submittedBy: string;
  /** The staff member the case is assigned to at start. */
  assignee?: string | undefined;
  /**
   * How long a registry may stay unavailable before its documents are asked of the person instead (the
   * office's configuration, REGISTRY_FALLBACK_HOURS); 24 hours when absent.
   */
  registryFallbackHours?: number | undefined;
}

/** Where the consultation of one registry service stands. */
export interface RegistryConsultationStatus {
  service: string;
  /**
   * consulting: asked; awaiting_answer: an asynchronous answer is awaited; unavailable: the registry failed
   * and is asked again later (the case is blocked on it); obtained; not_obtained: a business outcome or the
   * fallback: the person is asked for the documents.
   */
  state: 'consulting' | 'awaiting_answer' | 'unavailable' | 'obtained' | 'not_obtained';
  since: string;
  /** The registry's message, the last error, or why it was not obtained. */
  detail?: string | undefined;
  /** Checklist codes this service provides. */
  documents: string[];
}

export interface DocumentRequestStatus {
  requestedOn: IsoDate;
  documents: { code: string; name: { ca: string; es: string }; delivered: boolean }[];
  extendedBy?: number | undefined;
}

export type TaskKind =
  'assessment_report' | 'resolution' | 'appeal_resolution' | 'justification_review' | 'payment_failure';

export interface HumanTask {
  kind: TaskKind;
  assignee?: string | undefined;
  createdOn: IsoDate;
  slaDate: IsoDate;
  overdue: boolean;
}

export type ResolutionOutcome = 'granted' | 'refused' | 'withdrawal';

export interface Resolution {
  outcome: ResolutionOutcome;
  reasons: string;
  /** Per payment, with the number of payments, when granted. */
  amount?: number | undefined;
  instalments?: number | undefined;
  proposedBy: string;
  resolvedBy: string;
  resolvedOn: IsoDate;
  /** True when it decides an appeal (recurs de reposició). */
  onAppeal?: boolean | undefined;
}

export interface PaymentRecord {
  key: string;
  instalment: number;
  amount: number;
  dueDate: IsoDate;
  status: 'pending' | 'paid' | 'failed' | 'cancelled';
  attempts?: number | undefined;
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
  /** Renewal period, from 1. */
  period: number;
  assignee?: string | undefined;
  registeredAt?: string | undefined;
  acknowledgedAt?: string | undefined;
  closedAt?: string | undefined;
  closingReason?: string | undefined;
  pendingTask?: HumanTask | undefined;
  documentRequest?: DocumentRequestStatus | undefined;
  /** Consultations of other administrations in this period. */
  registries?: RegistryConsultationStatus[] | undefined;
  /** Registries the case is waiting on because they are unavailable. */
  blockedOn?: string[] | undefined;
  deadlines: RunningDeadline[];
  eligibility?: EligibilityResult | undefined;
  proposal?:
    | { outcome: ResolutionOutcome; reasons: string; amount?: number | undefined; proposedBy: string }
    | undefined;
  resolution?: Resolution | undefined;
  /** Effect of silence applied when the maximum time to resolve ran out (arts. 24-25). */
  silence?: { effect: 'approval' | 'refusal'; on: IsoDate } | undefined;
  notification?:
    | {
        depositedOn: IsoDate;
        effectiveOn?: IsoDate | undefined;
        outcome?: 'accepted' | 'rejected' | undefined;
      }
    | undefined;
  appeal?:
    | {
        filedOn: IsoDate;
        grounds: string;
        outcome?: 'upheld' | 'dismissed' | 'dismissed_by_silence' | undefined;
      }
    | undefined;
  payments: PaymentRecord[];
  justification?:
    | {
        dueDate: IsoDate;
        verdict?: 'accepted' | 'partial' | 'rejected' | 'missing' | undefined;
        acceptedAmount?: number | undefined;
      }
    | undefined;
  repayment?:
    | {
        amount: number;
        openedOn: IsoDate;
        lapsesOn: IsoDate;
        recovered?: number | undefined;
        outcome?: 'recovered' | 'lapsed' | undefined;
      }
    | undefined;
  history: StepRecord[];
  /** The latest escalation of the case, if any. */
  escalation?: { by: string; reason: string; at: string } | undefined;
  /** Reminders waiting on their timers (workflows started since reminders exist). */
  upcomingReminders?:
    | {
        deadline: DeadlineKind;
        audience: 'citizen' | 'assignee' | 'coordinator';
        on: IsoDate;
        dueDate: IsoDate;
      }[]
    | undefined;
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
