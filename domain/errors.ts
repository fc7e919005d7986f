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
  /** A registry has no data on the holder (unknown, deceased, no record): the person is asked instead. */
  RegistryNotFound: 'RegistryNotFound',
  /** No consent for this consultation, or the holder objected (art. 28.2): the person is asked instead. */
  RegistryNoConsent: 'RegistryNoConsent',
  /** The registry refused the holder's document as invalid. */
  RegistryInvalidDocument: 'RegistryInvalidDocument',
  /** The registry refused the request itself (a 4xx): retrying cannot help; the person is asked instead. */
  RegistryRequestRefused: 'RegistryRequestRefused',
  /** No registry connector is configured for this office: nothing is consulted. */
  RegistryNotConfigured: 'RegistryNotConfigured',
} as const;

/** The outcomes of a consultation that retrying cannot change: the document is asked of the person. */
export const REGISTRY_OUTCOMES: readonly string[] = [
  RejectionType.RegistryNotFound,
  RejectionType.RegistryNoConsent,
  RejectionType.RegistryInvalidDocument,
  RejectionType.RegistryRequestRefused,
  RejectionType.RegistryNotConfigured,
];

export type RejectionType = (typeof RejectionType)[keyof typeof RejectionType];

export const REJECTION_TYPES: readonly string[] = Object.values(RejectionType);
