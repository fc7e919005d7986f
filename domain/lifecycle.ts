/**
 * Service levels of the office (not law): how long staff have for each task, when alerts fire. The law's
 * own periods are in deadlines.ts and legal-basis.ts.
 */
export const SERVICE_LEVELS = {
  /** Business days for the technical or social report. */
  assessmentReportDays: 5,
  /** Business days to decide on a proposal. */
  resolutionDays: 3,
  /** Business days to decide on an appeal report. */
  justificationReviewDays: 5,
  /** Alert this many business days before the maximum time to resolve runs out. */
  maxTimeAlertDays: 10,
  /** Review a renewal this many calendar days before the period ends. */
  renewalReviewDays: 15,
  /** Hours a registry may stay unavailable before its documents are asked of the person (configurable). */
  registryFallbackHours: 24,
  /** Minutes between rounds of consultation of an unavailable registry, growing to the last value. */
  registryRetryMinutes: [5, 15, 30, 60],
} as const;

/** Legal periods the lifecycle uses. */
export const LEGAL_PERIODS = {
  /** Art. 68.1: to remedy an application. */
  remedyBusinessDays: 10,
  /** Art. 68.2: extension of the remedy period. */
  remedyExtensionMaxDays: 5,
  /** Art. 43.2: an electronic notification not opened in 10 calendar days counts as rejected. */
  notificationAcceptanceDays: 10,
  /** Art. 124.1: to file, and to resolve, a recurs de reposició. */
  appealMonths: 1,
  /** Llei 38/2003 art. 42.4: a repayment procedure lapses after 12 months. */
  repaymentMonths: 12,
  /** Art. 21.4: the acknowledgement is sent within 10 days. */
  acknowledgementDays: 10,
} as const;
