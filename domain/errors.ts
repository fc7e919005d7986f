/**
 * The business rejections a workflow raises, as ApplicationFailure types. The API maps them to HTTP
 * statuses and tests assert on them, never on message text.
 */
export const RejectionType = {
  /** The action is not allowed in the case's current state. */
  InvalidTransition: 'InvalidTransition',
  /** The action's data does not make sense for this case. */
  InvalidInput: 'InvalidInput',
  /** Who proposed a resolution cannot also resolve it. */
  FourEyesViolation: 'FourEyesViolation',
  /** The legal period for this step is over (an appeal out of time, an extension after expiry). */
  DeadlinePassed: 'DeadlinePassed',
} as const;

export type RejectionType = (typeof RejectionType)[keyof typeof RejectionType];

export const REJECTION_TYPES: readonly string[] = Object.values(RejectionType);
