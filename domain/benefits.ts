/**
 * The benefit types an office handles (Hèstia resource families). The versioned catalogue with documents,
 * criteria and amounts builds on these codes.
 */
export const BENEFIT_CODES = [
  'URGENCY_FOOD',
  'BASIC_SUPPLIES',
  'RENT',
  'SCHOOL_MEALS',
  'INCOME_COMPLEMENT',
] as const;

export type BenefitCode = (typeof BENEFIT_CODES)[number];
