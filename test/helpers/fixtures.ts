import type { ApplicationInput } from '../../domain/application';
import type { IntakeRequest } from '../../domain/intake';

/** A valid filing as the API receives it. 12345678Z is a DNI with a correct check letter. */
export function intakeRequest(overrides: Partial<IntakeRequest> = {}): IntakeRequest {
  return {
    municipalityCode: '08305',
    benefitCode: 'URGENCY_FOOD',
    applicant: {
      firstName: 'Núria',
      lastName: 'Puig Soler',
      documentNumber: '12345678Z',
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
    submittedBy: 'staff-1',
    ...overrides,
  };
}
