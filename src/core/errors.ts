/**
 * Every error the core can raise, with a stable code. Contracts map codes to their own
 * status codes and bodies (see each contract's errors.ts, exhaustive over these codes, so the
 * compiler names a code a contract forgets); nothing else is shown to a client.
 */
export const ErrorCode = {
  /** Input failed a core rule (the contracts validate shapes first). */
  Validation: 'validation_failed',
  /** Email and password do not match a user (also for unknown emails: indistinguishable). */
  InvalidCredentials: 'invalid_credentials',
  /** The bearer token, cookie or API key is missing, malformed, expired or revoked. */
  Unauthenticated: 'unauthenticated',
  /** The refresh token is unknown, expired, or its session is gone. */
  InvalidRefreshToken: 'invalid_refresh_token',
  /** The caller is authenticated but may not do this. */
  Forbidden: 'forbidden',
  ClientNotFound: 'client_not_found',
  ProjectNotFound: 'project_not_found',
  NotFound: 'not_found',
  EmailTaken: 'email_taken',
  AccountTaken: 'account_taken',
  /** The project does not let users self-register with this profile type. */
  ProfileTypeNotAllowed: 'profile_type_not_allowed',
  /** Too many password hashes queued: shed load instead of queueing without bound. */
  Overloaded: 'overloaded',
  /**
   * The database cannot be reached or answered too late (connection refused or lost, server
   * shutting down, pool wait or statement timeout): answered 503 + Retry-After while it lasts.
   * Raised by src/db/unavailable.ts only.
   */
  Unavailable: 'unavailable',
  RateLimited: 'rate_limited',
  AccountLocked: 'account_locked',
  InvalidMfaCode: 'invalid_mfa_code',
  InvalidResetToken: 'invalid_reset_token',
  InvalidVerificationToken: 'invalid_verification_token',
  WeakPassword: 'weak_password',
  /** Login refused until the user proves the email (project setting requireVerifiedEmail). */
  EmailNotVerified: 'email_not_verified',
  /** The current password given to confirm a change (password change, MFA disable) is wrong. */
  WrongPassword: 'wrong_password',
  Conflict: 'conflict',
  /** OAuth (RFC 6749 §5.2): client authentication failed (unknown client, wrong or missing secret). */
  InvalidClient: 'invalid_client',
  /** OAuth: the authorization code or refresh token is invalid, expired, spent, or bound to something else. */
  InvalidGrant: 'invalid_grant',
  /** OAuth: the client may not use this grant type or endpoint. */
  UnauthorizedClient: 'unauthorized_client',
  UnsupportedGrantType: 'unsupported_grant_type',
  /** OAuth: a requested scope is unknown or not allowed for the client. */
  InvalidScope: 'invalid_scope',
  /**
   * An authorization request whose client or redirect URI cannot be trusted: answered with an
   * error page, never a redirect (RFC 6749 §4.1.2.1).
   */
  InvalidRedirectUri: 'invalid_redirect_uri',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface FieldProblem {
  /** Field name as the core knows it (email, password, name, ...). */
  readonly field: string;
  readonly message: string;
}

export class GatehouseError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extra: {
      readonly fields?: readonly FieldProblem[];
      /** Seconds until a retry may succeed (Overloaded, Unavailable, RateLimited, AccountLocked). */
      readonly retryAfter?: number;
      /** Opaque data a contract may need to continue a flow (e.g. an MFA challenge token). */
      readonly data?: Readonly<Record<string, unknown>>;
    } = {},
  ) {
    super(message);
    this.name = 'GatehouseError';
  }
}

export function isGatehouseError(error: unknown): error is GatehouseError {
  return error instanceof GatehouseError;
}

export function fail(code: ErrorCode, message: string, extra?: GatehouseError['extra']): never {
  throw new GatehouseError(code, message, extra);
}

/** True for a unique-constraint violation from PostgreSQL or PGlite (SQLSTATE 23505). */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, constraint: name } = error as { code?: unknown; constraint?: unknown };
  return code === '23505' && (constraint === undefined || name === constraint);
}
