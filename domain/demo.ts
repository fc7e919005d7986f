/**
 * Demo applications for a new installation, so that a first look at the system shows cases moving.
 * Fictional people; document numbers are generated with valid check letters.
 */
import { dniFor } from './identity';
import type { IntakeRequest } from './intake';

export const DEMO_APPLICATIONS: IntakeRequest[] = [
  ['08305', 'URGENCY_FOOD', 'Aina', 'Ferrer Vidal', 'ca'],
  ['08096', 'BASIC_SUPPLIES', 'Jordi', 'Serra Puig', 'ca'],
  ['08187', 'RENT', 'Lucía', 'García Romero', 'es'],
  ['08169', 'SCHOOL_MEALS', 'Fatima', 'El Amrani', 'ca'],
  ['08200', 'INCOME_COMPLEMENT', 'Marc', 'Roca Soler', 'ca'],
].map(([municipalityCode, benefitCode, firstName, lastName, language], i) => ({
  municipalityCode,
  benefitCode,
  applicant: { firstName, lastName, documentNumber: dniFor(40_000_000 + i * 7919), language },
})) as IntakeRequest[];
