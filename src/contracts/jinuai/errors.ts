import { ErrorCode, type GatehouseError } from '../../core/errors.ts';
import type { RenderedError } from '../../http/error-mapping.ts';
import { unhandled, type FieldFailure, type Problem } from '../../http/problems.ts';
import type { PydanticError } from './framework/validation.ts';

/** FastAPI's error bodies: `{"detail": "..."}`, or the pydantic error list for a 422. */
const BEARER = { 'www-authenticate': 'Bearer' };

function detail(status: number, text: string, headers?: Record<string, string>): RenderedError {
  return { status, body: { detail: text }, contentType: 'application/json', ...(headers && { headers }) };
}

/**
 * The echoed `input` cut at a fixed depth: a body nested thousands of levels deep overflowed the
 * stack of the response serializer (a 500, found by the hardening fuzz campaign).
 */
function bounded(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth >= 32) return Array.isArray(value) ? [] : {};
  if (Array.isArray(value)) return value.map((item) => bounded(item, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, bounded(item, depth + 1)]));
}

function retry(error: GatehouseError): Record<string, string> | undefined {
  return error.extra.retryAfter === undefined ? undefined : { 'retry-after': String(Math.max(1, Math.ceil(error.extra.retryAfter))) };
}

function core(error: GatehouseError): RenderedError {
  switch (error.code) {
    case ErrorCode.Validation:
    case ErrorCode.WeakPassword:
    case ErrorCode.ProfileTypeNotAllowed: {
      const items = error.extra.data?.detail;
      if (Array.isArray(items))
        return {
          status: 422,
          body: { detail: (items as PydanticError[]).map((item) => ({ ...item, input: bounded(item.input, 0) })) },
          contentType: 'application/json',
        };
      // A check in the endpoint itself (e.g. "Passwords do not match."): FastAPI's HTTPException(400).
      const fields = error.extra.fields;
      if (fields === undefined || fields.length === 0) return detail(400, error.message);
      // A rule the core enforces on a field, reported as pydantic reports a failed validator.
      const list: PydanticError[] = fields.map((field) => ({
        type: 'value_error',
        loc: field.field === '' ? ['body'] : ['body', field.field],
        msg: `Value error, ${field.message}`,
        input: null,
        ctx: { error: {} },
      }));
      return { status: 422, body: { detail: list }, contentType: 'application/json' };
    }
    case ErrorCode.InvalidCredentials:
      return detail(401, 'Incorrect email or password', BEARER);
    case ErrorCode.Unauthenticated:
      return detail(401, error.extra.data?.reason === 'missing' ? 'Not authenticated' : 'Could not validate credentials', BEARER);
    case ErrorCode.InvalidRefreshToken:
      return detail(401, 'Invalid refresh token', BEARER);
    case ErrorCode.InvalidMfaCode:
      return detail(401, 'Invalid MFA code', BEARER);
    case ErrorCode.WrongPassword:
      return detail(400, 'Incorrect password');
    case ErrorCode.EmailNotVerified:
      return detail(400, 'Email not verified');
    case ErrorCode.Forbidden:
      return detail(403, 'Not enough permissions');
    case ErrorCode.NotFound:
      return detail(404, 'User not found');
    case ErrorCode.ClientNotFound:
    case ErrorCode.ProjectNotFound:
      return detail(404, 'Not Found');
    case ErrorCode.EmailTaken:
      return detail(400, 'Email already registered');
    case ErrorCode.AccountTaken:
      return detail(400, 'Account name already taken');
    case ErrorCode.Conflict:
      return detail(409, 'Conflict');
    case ErrorCode.RateLimited:
    case ErrorCode.AccountLocked:
      return detail(429, 'Too many requests. Please try again later.', retry(error));
    case ErrorCode.Overloaded:
    case ErrorCode.Unavailable:
      return detail(503, 'Service temporarily unavailable. Please try again shortly.', retry(error) ?? { 'retry-after': '1' });
    case ErrorCode.InvalidResetToken:
    case ErrorCode.InvalidVerificationToken:
      return detail(400, 'Invalid token');
    // OAuth codes come from the OIDC endpoints only; FastAPI's HTTPException words if one arrives here.
    case ErrorCode.InvalidClient:
      return detail(401, 'Invalid client', BEARER);
    case ErrorCode.InvalidGrant:
    case ErrorCode.UnauthorizedClient:
    case ErrorCode.UnsupportedGrantType:
    case ErrorCode.InvalidScope:
    case ErrorCode.InvalidRedirectUri:
      return detail(400, error.message);
    default:
      return unhandled(error.code);
  }
}

/** AJV failures only reach this contract from schemas it did not compile itself; map them as best we can. */
function fromAjv(failure: FieldFailure): PydanticError {
  const part = failure.part === 'querystring' ? 'query' : failure.part === 'params' ? 'path' : failure.part;
  const loc = failure.field === '' ? [part] : [part, ...failure.field.split('.')];
  const limit = failure.params.limit;
  switch (failure.keyword) {
    case 'required':
      return { type: 'missing', loc, msg: 'Field required', input: null };
    case 'minLength':
      return {
        type: 'string_too_short',
        loc,
        msg: `String should have at least ${String(limit)} characters`,
        input: failure.value,
        ctx: { min_length: limit },
      };
    case 'maxLength':
      return {
        type: 'string_too_long',
        loc,
        msg: `String should have at most ${String(limit)} characters`,
        input: failure.value,
        ctx: { max_length: limit },
      };
    case 'type':
      return {
        type: `${String(failure.params.type)}_type`,
        loc,
        msg: `Input should be a valid ${String(failure.params.type)}`,
        input: failure.value,
      };
    case 'text':
      // The input boundary (http/input-boundary.ts), reported as a failed pydantic field validator.
      return {
        type: 'value_error',
        loc,
        msg: `Value error, String ${failure.message}`,
        input: bounded(failure.value, 0),
        ctx: { error: {} },
      };
    default:
      return { type: 'value_error', loc, msg: `Value error, ${failure.message}`, input: failure.value };
  }
}

export function renderJinuaiProblem(problem: Problem): RenderedError {
  switch (problem.kind) {
    case 'core':
      return core(problem.error);
    case 'validation':
      return { status: 422, body: { detail: problem.failures.map(fromAjv) }, contentType: 'application/json' };
    case 'request':
      switch (problem.status) {
        case 400:
          return detail(400, 'There was an error parsing the body');
        case 404:
          return detail(404, 'Not Found');
        case 405:
          return detail(405, 'Method Not Allowed');
        case 413:
          return detail(413, 'Request body is too large');
        case 415:
          return detail(415, 'Unsupported Media Type');
      }
      break;
    case 'internal':
      break;
  }
  return detail(500, 'Internal Server Error');
}
