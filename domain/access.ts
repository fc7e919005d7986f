/**
 * Who may do what, and where: the roles of an OGPS's staff, the actions on cases, and the municipalities a
 * person works for. Pure rules shared by the API (which enforces them) and the documentation.
 *
 * - Administrative staff file and process cases (documents, deadlines, notifications, payments) but never
 *   read the social workers' professional notes, nor assess or resolve.
 * - Social workers (and technical staff) assess, propose and resolve (four eyes: the workflow refuses the
 *   person who proposed), and read the professional notes.
 * - Coordinators can do everything on their municipalities' cases, reassign them, and read the audit log.
 * - Auditors read cases and the audit log, and change nothing.
 */
import type { MunicipalityCode } from './municipalities';

export const STAFF_ROLES = ['administrative', 'social_worker', 'coordinator', 'auditor'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export const CASE_ACTIONS = [
  'file',
  'read',
  'read_notes',
  'submit_documents',
  'extend_deadline',
  'submit_assessment',
  'propose',
  'resolve',
  'record_notification',
  'file_appeal',
  'resolve_appeal',
  'review_justification',
  'record_repayment',
  'retry_payment',
  'report_change',
  'withdraw',
  'reassign',
  /** Ask the registries a case waits on again now, instead of at the next scheduled round. */
  'retry_step',
  /** Close a case before resolution (a duplicate, filed by mistake), with the reason. */
  'cancel',
  /** Raise a case to the municipality's coordinators, saying what needs attention. */
  'escalate',
  'read_audit',
  /** The coordinators' views: stuck cases, the office's deadlines, the workload. */
  'oversee',
  /**
   * The citizen's right of access (GDPR art. 15): everything held about a person in the municipalities one
   * works for. Coordinators only: the export gathers every case of the person, professional notes included.
   */
  'export_personal_data',
  /**
   * Repair a case held by a workflow task that no longer replays: reset its run to the last task that does
   * (Temporal re-applies the staff's actions after it). Coordinators only: it runs automatic steps again.
   */
  'repair',
] as const;
export type CaseAction = (typeof CASE_ACTIONS)[number];

const PROCESSING: readonly CaseAction[] = [
  'file',
  'read',
  'submit_documents',
  'extend_deadline',
  'record_notification',
  'file_appeal',
  'review_justification',
  'record_repayment',
  'retry_payment',
  'retry_step',
  'escalate',
  'report_change',
  'withdraw',
];

const PERMISSIONS: Record<StaffRole, ReadonlySet<CaseAction>> = {
  administrative: new Set(PROCESSING),
  social_worker: new Set<CaseAction>([
    ...PROCESSING,
    'read_notes',
    'submit_assessment',
    'propose',
    'resolve',
    'resolve_appeal',
  ]),
  coordinator: new Set(CASE_ACTIONS),
  auditor: new Set<CaseAction>(['read', 'read_audit', 'oversee']),
};

export interface StaffMember {
  id: string;
  name: string;
  role: StaffRole;
  municipalities: readonly MunicipalityCode[];
}

export function mayPerform(role: StaffRole, action: CaseAction): boolean {
  return PERMISSIONS[role].has(action);
}

/** Whether the person works for the municipality of a case (the first five digits of its number). */
export function worksFor(staff: StaffMember, municipalityCode: string): boolean {
  return (staff.municipalities as readonly string[]).includes(municipalityCode);
}

/** The municipality a case belongs to, read from its number (08305-2026-000042). */
export function municipalityOfApplication(applicationId: string): string {
  return applicationId.slice(0, 5);
}

/** The roles that may perform an action: for error messages and the API documentation. */
export function rolesFor(action: CaseAction): StaffRole[] {
  return STAFF_ROLES.filter((r) => mayPerform(r, action));
}
