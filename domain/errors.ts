/**
 * Errors: the business rejections a workflow raises, as ApplicationFailure types (the API maps them to HTTP
 * statuses and tests assert on them, never on message text), and the one error type the other layers throw.
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

/** A field of a request that is wrong, and why. */
export interface FieldError {
  /** Where the bad value is: `body.applicant.documentNumber`, `params.id`, `query.limit`. */
  field: string;
  message: string;
}

/**
 * The one error type every layer outside the workflows throws for an outcome the person must be told of,
 * carrying its HTTP status: the API's error middleware renders it as problem+json (RFC 9457), and maps what
 * libraries throw (Temporal, Prisma, the body parser) to it. Services and adapters throw it so that a
 * protocol's refusals (a duplicate household, a case that did not answer in time) are stated once, where
 * they are decided.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly extra: {
      errors?: FieldError[];
      retryAfterSeconds?: number;
      rejection?: string;
      /** With 403: the roles that may do what was refused. */
      allowedRoles?: string[];
      /** With 409 for a duplicate: the case that already exists. */
      existingApplicationId?: string;
      /** With 409 for a refused repair: why (not_held, not_a_replay_mismatch, ...). */
      reason?: string;
    } = {},
  ) {
    super(detail ?? title);
    this.name = 'AppError';
  }

  static badRequest(errors: FieldError[]): AppError {
    return new AppError(400, 'Invalid request', errors.map((e) => `${e.field}: ${e.message}`).join('; '), {
      errors,
    });
  }

  static notFound(detail: string): AppError {
    return new AppError(404, 'Not found', detail);
  }

  static unauthorized(detail: string): AppError {
    return new AppError(401, 'Not authenticated', detail);
  }

  static forbidden(detail: string, allowedRoles?: string[]): AppError {
    return new AppError(403, 'Not allowed', detail, allowedRoles ? { allowedRoles } : {});
  }

  static conflict(title: string, detail: string, extra: AppError['extra'] = {}): AppError {
    return new AppError(409, title, detail, extra);
  }

  static tooManyRequests(retryAfterSeconds: number): AppError {
    return new AppError(429, 'Too many requests', `Slow down: try again in ${retryAfterSeconds} s`, {
      retryAfterSeconds,
    });
  }

  static unavailable(detail: string, retryAfterSeconds = 5): AppError {
    return new AppError(503, 'Service unavailable', detail, { retryAfterSeconds });
  }
}
