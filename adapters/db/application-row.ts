/**
 * The projection's row of a case as filed (table `application`, state `submitted`): written by the filing
 * (services/filing.ts) so that a case is listed as soon as it is accepted, and by registration
 * (activities/projection.ts), which completes it, should the filing's write have been lost.
 */
import type { ApplicationInput } from '../../domain/application';

/** A day as PostgreSQL's DATE column takes it: its UTC midnight. */
export const dateColumn = (d: string): Date => new Date(`${d}T00:00:00Z`);

/** The row of `input`, state `submitted`. */
export function submittedRow(input: ApplicationInput) {
  return {
    id: input.applicationId,
    municipalityCode: input.municipalityCode,
    benefitCode: input.benefitCode,
    state: 'submitted',
    applicantName: `${input.applicant.firstName} ${input.applicant.lastName}`,
    applicantDocument: input.applicant.documentNumber,
    language: input.applicant.language,
    submittedAt: new Date(input.submittedAt),
    effectiveFilingDate: dateColumn(input.effectiveFilingDate),
    catalogueVersion: input.pinned.version,
    assignee: input.assignee ?? null,
  };
}
