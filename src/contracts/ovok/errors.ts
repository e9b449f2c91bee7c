import { ErrorCode } from '../../core/errors.ts';
import type { RenderedError } from '../../http/error-mapping.ts';
import type { FieldFailure, Problem } from '../../http/problems.ts';

/** FHIR OperationOutcome, as Medplum (and so Ovok) answers every error. */
const FHIR_JSON = 'application/fhir+json; charset=utf-8';

interface Issue {
  severity: 'error';
  code: string;
  details: { text: string };
  expression?: string[];
}

function outcome(id: string, status: number, issues: Issue[], headers?: Record<string, string>): RenderedError {
  return { status, contentType: FHIR_JSON, body: { resourceType: 'OperationOutcome', id, issue: issues }, ...(headers && { headers }) };
}

function issue(code: string, text: string, field?: string): Issue {
  return { severity: 'error', code, details: { text }, ...(field !== undefined && field !== '' && { expression: [field] }) };
}

const CORE: Record<ErrorCode, { status: number; code: string; text?: string }> = {
  [ErrorCode.InvalidCredentials]: { status: 401, code: 'login', text: 'Email or password is invalid' },
  [ErrorCode.Unauthenticated]: { status: 401, code: 'login', text: 'Unauthorized' },
  [ErrorCode.InvalidRefreshToken]: { status: 401, code: 'login', text: 'Invalid refresh token' },
  [ErrorCode.Forbidden]: { status: 403, code: 'forbidden', text: 'Forbidden' },
  [ErrorCode.ClientNotFound]: { status: 404, code: 'not-found', text: 'Client application not found' },
  [ErrorCode.ProjectNotFound]: { status: 404, code: 'not-found', text: 'Not found' },
  [ErrorCode.NotFound]: { status: 404, code: 'not-found', text: 'Not found' },
  [ErrorCode.EmailTaken]: { status: 400, code: 'invalid', text: 'Email already registered' },
  [ErrorCode.AccountTaken]: { status: 400, code: 'invalid' },
  [ErrorCode.ProfileTypeNotAllowed]: { status: 422, code: 'invalid' },
  [ErrorCode.Validation]: { status: 422, code: 'invalid' },
  [ErrorCode.WeakPassword]: { status: 422, code: 'invalid' },
  [ErrorCode.RateLimited]: { status: 429, code: 'throttled', text: 'Too many requests' },
  [ErrorCode.AccountLocked]: { status: 429, code: 'throttled', text: 'Too many failed attempts; try again later' },
  [ErrorCode.Overloaded]: { status: 503, code: 'transient', text: 'The server is busy; try again shortly' },
  [ErrorCode.Unavailable]: { status: 503, code: 'transient', text: 'The service is temporarily unavailable; try again shortly' },
  [ErrorCode.InvalidResetToken]: { status: 400, code: 'invalid', text: 'Invalid or expired secret' },
  [ErrorCode.InvalidVerificationToken]: { status: 400, code: 'invalid', text: 'Invalid or expired token' },
  [ErrorCode.InvalidMfaCode]: { status: 401, code: 'login', text: 'Invalid MFA code' },
  [ErrorCode.EmailNotVerified]: { status: 401, code: 'login', text: 'Email not verified' },
  [ErrorCode.WrongPassword]: { status: 400, code: 'invalid', text: 'Incorrect password' },
  [ErrorCode.Conflict]: { status: 400, code: 'invalid' },
  // OAuth codes come from the OIDC endpoints only; rendered here for completeness, as Medplum words them.
  [ErrorCode.InvalidClient]: { status: 401, code: 'login', text: 'Invalid client' },
  [ErrorCode.InvalidGrant]: { status: 400, code: 'invalid', text: 'Invalid grant' },
  [ErrorCode.UnauthorizedClient]: { status: 400, code: 'invalid', text: 'Unauthorized client' },
  [ErrorCode.UnsupportedGrantType]: { status: 400, code: 'invalid', text: 'Unsupported grant type' },
  [ErrorCode.InvalidScope]: { status: 400, code: 'invalid', text: 'Invalid scope' },
  [ErrorCode.InvalidRedirectUri]: { status: 400, code: 'invalid', text: 'Invalid redirect URI' },
};

/** class-validator's wording (Ovok is a NestJS service), so clients parsing messages keep working. */
function validationText(failure: FieldFailure): string {
  const field = failure.field === '' ? 'body' : failure.field;
  const limit = failure.params.limit;
  switch (failure.keyword) {
    case 'required':
      return `${field} should not be empty`;
    case 'type':
      return `${field} must be a ${String(failure.params.type).replace('integer', 'number')}`;
    case 'format':
      return failure.params.format === 'email' ? `${field} must be an email` : `${field} must be a valid ${String(failure.params.format)}`;
    case 'minLength':
      return limit === 1 ? `${field} should not be empty` : `${field} must be longer than or equal to ${String(limit)} characters`;
    case 'maxLength':
      return `${field} must be shorter than or equal to ${String(limit)} characters`;
    case 'enum':
    case 'const':
    case 'anyOf':
      return `${field} must be one of the allowed values`;
    case 'minimum':
      return `${field} must not be less than ${String(limit)}`;
    case 'maximum':
      return `${field} must not be greater than ${String(limit)}`;
    case 'text':
      // The input boundary (http/input-boundary.ts): NUL, control or bidi characters, a lone surrogate.
      return `${field} ${failure.message}`;
    default:
      return `${field} is invalid`;
  }
}

export function renderOvokProblem(problem: Problem, requestId: string): RenderedError {
  switch (problem.kind) {
    case 'validation': {
      // anyOf reports every branch; one issue per field is what a client can act on.
      const firstPerField = new Map<string, FieldFailure>();
      for (const failure of problem.failures) if (!firstPerField.has(failure.field)) firstPerField.set(failure.field, failure);
      const issues = [...firstPerField.values()].map((failure) => issue('invalid', validationText(failure), failure.field));
      return outcome(requestId, 422, issues);
    }
    case 'core': {
      const { error } = problem;
      const mapped = CORE[error.code];
      const fields = error.extra.fields ?? [];
      const issues =
        fields.length > 0 && mapped.status !== 401
          ? fields.map((field) => issue(mapped.code, field.message, field.field))
          : [issue(mapped.code, mapped.text ?? error.message)];
      const retry = error.extra.retryAfter;
      return outcome(requestId, mapped.status, issues, retry === undefined ? undefined : { 'retry-after': String(retry) });
    }
    case 'request':
      return outcome(requestId, problem.status, [
        issue(problem.status === 404 ? 'not-found' : problem.status === 400 ? 'invalid' : 'not-supported', problem.message),
      ]);
    case 'internal':
      return outcome(requestId, 500, [issue('exception', 'Internal server error')]);
  }
}
