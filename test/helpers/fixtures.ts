import type { ApplicationInput } from '../../domain/application';
import { pinBenefit } from '../../domain/catalogue';
import type { PinnedBenefit } from '../../domain/catalogue';
import { loadReferenceData } from '../../adapters/reference-data';
import { calendarDataFor } from '../../domain/calendar';

const reference = loadReferenceData();
const catalogue = reference.catalogue;

export function pinnedBenefit(municipality: string, benefit: string, on: string): PinnedBenefit {
  const pinned = pinBenefit(catalogue, municipality, benefit, on);
  if (!pinned) throw new Error(`no ${benefit} in force in ${municipality} on ${on}`);
  return pinned;
}
import { dniFor } from '../../domain/identity';
import type { IntakeRequest } from '../../domain/intake';

/** A valid filing as the API receives it. 12345678Z is a DNI with a correct check letter. */
let applicants = 0;

/** A filing by a new person each time (one open application per household and benefit). */
export function intakeRequest(overrides: Partial<IntakeRequest> = {}): IntakeRequest {
  return {
    municipalityCode: '08305',
    benefitCode: 'URGENCY_FOOD',
    applicant: {
      firstName: 'Núria',
      lastName: 'Puig Soler',
      documentNumber: dniFor(20_000_000 + ++applicants),
      language: 'ca',
      email: 'nuria.puig@example.org',
    },
    ...overrides,
  };
}

export function applicationInput(
  applicationId: string,
  overrides: Partial<ApplicationInput> = {},
): ApplicationInput {
  return {
    applicationId,
    municipalityCode: '08305',
    benefitCode: 'URGENCY_FOOD',
    applicant: {
      firstName: 'Núria',
      lastName: 'Puig Soler',
      documentType: 'DNI',
      documentNumber: '12345678Z',
      language: 'ca',
    },
    submittedAt: '2026-03-02T09:15:00.000Z',
    effectiveFilingDate: '2026-03-02',
    pinned: pinnedBenefit('08305', 'URGENCY_FOOD', '2026-03-02'),
    calendar: calendarDataFor(reference.calendar, ['08305']),
    consent: { objections: [], taxConsent: true },
    submittedBy: 'staff-1',
    ...overrides,
  };
}
