import { ErrorCode } from '../../core/errors.ts';
import type { RenderedError } from '../../http/error-mapping.ts';
import type { Problem } from '../../http/problems.ts';

const STATUS: Record<ErrorCode, number> = {
  [ErrorCode.Validation]: 422,
  [ErrorCode.Unauthenticated]: 401,
  [ErrorCode.Forbidden]: 403,
  [ErrorCode.ProjectNotFound]: 404,
  [ErrorCode.ClientNotFound]: 404,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.Conflict]: 409,
  [ErrorCode.EmailTaken]: 409,
  [ErrorCode.AccountTaken]: 409,
  [ErrorCode.RateLimited]: 429,
  [ErrorCode.Overloaded]: 503,
  [ErrorCode.Unavailable]: 503,
  [ErrorCode.InvalidCredentials]: 401,
  [ErrorCode.InvalidRefreshToken]: 401,
  [ErrorCode.ProfileTypeNotAllowed]: 422,
  [ErrorCode.AccountLocked]: 429,
  [ErrorCode.InvalidMfaCode]: 401,
  [ErrorCode.InvalidResetToken]: 400,
  [ErrorCode.InvalidVerificationToken]: 400,
  [ErrorCode.WeakPassword]: 422,
  [ErrorCode.EmailNotVerified]: 403,
  [ErrorCode.WrongPassword]: 400,
  [ErrorCode.InvalidClient]: 401,
  [ErrorCode.InvalidGrant]: 400,
  [ErrorCode.UnauthorizedClient]: 400,
  [ErrorCode.UnsupportedGrantType]: 400,
  [ErrorCode.InvalidScope]: 400,
  [ErrorCode.InvalidRedirectUri]: 400,
};

/** Gatehouse's own error style: `{error, message, fields?}`. */
export function renderAdminProblem(problem: Problem): RenderedError {
  switch (problem.kind) {
    case 'core': {
      const { error } = problem;
      const status = STATUS[error.code];
      return {
        status,
        body: { error: error.code, message: error.message, ...(error.extra.fields && { fields: error.extra.fields }) },
        ...(error.extra.retryAfter !== undefined && { headers: { 'retry-after': String(error.extra.retryAfter) } }),
      };
    }
    case 'validation':
      return {
        status: 422,
        body: {
          error: ErrorCode.Validation,
          message: 'The request is invalid',
          fields: problem.failures.map((failure) => ({ field: failure.field, message: failure.message })),
        },
      };
    case 'request':
      return { status: problem.status, body: { error: 'bad_request', message: problem.message } };
    case 'internal':
      return { status: 500, body: { error: 'internal_error', message: 'Internal server error' } };
  }
}
