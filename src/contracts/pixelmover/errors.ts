import type { FastifyRequest } from 'fastify';
import { ErrorCode, type FieldProblem, type GatehouseError } from '../../core/errors.ts';
import type { RenderedError } from '../../http/error-mapping.ts';
import { unhandled, type Problem } from '../../http/problems.ts';
import { attributeName } from './framework/validation.ts';

/**
 * Laravel's JSON error bodies (Illuminate\Foundation\Exceptions\Handler, production mode):
 * `{message}` for HTTP errors, `{message, errors}` with 422 for validation, and a generic
 * "Server Error" for anything unexpected.
 */

/** ValidationException::summarize: the first message, plus "(and N more errors)". */
export function validationBody(fields: readonly FieldProblem[]): { message: string; errors: Record<string, string[]> } {
  // No prototype: a field named `constructor` or `__proto__` (a hostile body's keys) is a plain
  // entry, not Object.prototype's (a 500 found by the Unicode fuzz campaign of issue 12).
  const errors: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  for (const { field, message } of fields) {
    const list = Object.hasOwn(errors, field) ? errors[field] : undefined;
    if (list === undefined) errors[field] = [message];
    else list.push(message);
  }
  const more = fields.length - 1;
  const first = fields[0]?.message ?? 'The given data was invalid.';
  return { message: more > 0 ? `${first} (and ${more} more ${more === 1 ? 'error' : 'errors'})` : first, errors };
}

function validation(fields: readonly FieldProblem[]): RenderedError {
  return { status: 422, body: validationBody(fields) };
}

function plain(status: number, message: string, headers?: Record<string, string>): RenderedError {
  return { status, body: { message }, ...(headers && { headers }) };
}

/** Login answers throttling in auth.throttle's words; other routes in ThrottleRequests' "Too Many Attempts.". */
function isLogin(request: FastifyRequest): boolean {
  return /\/auth\/(login|two-factor-challenge)$/.test(request.routeOptions.url ?? '');
}

function renderCore(error: GatehouseError, request: FastifyRequest): RenderedError {
  const retryAfter = error.extra.retryAfter;
  const retryHeaders = retryAfter === undefined ? undefined : { 'retry-after': String(retryAfter) };
  switch (error.code) {
    case ErrorCode.Validation:
    case ErrorCode.WeakPassword:
    case ErrorCode.ProfileTypeNotAllowed:
      return validation(error.extra.fields?.length ? error.extra.fields : [{ field: 'email', message: error.message }]);
    case ErrorCode.InvalidCredentials:
      return validation([{ field: 'email', message: 'These credentials do not match our records.' }]);
    case ErrorCode.InvalidMfaCode:
      return validation([{ field: 'code', message: 'The provided two factor authentication code was invalid.' }]);
    case ErrorCode.EmailTaken:
      return validation([{ field: 'email', message: `The ${attributeName('email')} has already been taken.` }]);
    case ErrorCode.Conflict:
      return validation(error.extra.fields?.length ? error.extra.fields : [{ field: 'id', message: error.message }]);
    case ErrorCode.AccountTaken:
      return validation(
        error.extra.fields?.length
          ? error.extra.fields
          : [{ field: 'account', message: `The ${attributeName('account')} has already been taken.` }],
      );
    case ErrorCode.WrongPassword:
      return validation([{ field: 'current_password', message: 'The provided password does not match your current password.' }]);
    case ErrorCode.InvalidResetToken:
      return validation([{ field: 'email', message: 'This password reset token is invalid.' }]);
    case ErrorCode.Unauthenticated:
    case ErrorCode.InvalidRefreshToken:
      return plain(401, 'Unauthenticated.');
    case ErrorCode.Forbidden:
      return plain(403, 'This action is unauthorized.');
    case ErrorCode.InvalidVerificationToken:
      return plain(403, 'Invalid signature.');
    case ErrorCode.EmailNotVerified:
      return plain(403, 'Your email address is not verified.');
    case ErrorCode.NotFound: {
      const data = error.extra.data;
      // Route-model binding's words (findOrFail).
      if (data?.model !== undefined)
        return plain(404, `No query results for model [App\\Models\\${String(data.model)}] ${String(data.id)}`);
      return plain(404, 'Not Found');
    }
    case ErrorCode.ClientNotFound:
    case ErrorCode.ProjectNotFound:
      return plain(404, 'Not Found');
    case ErrorCode.RateLimited:
    case ErrorCode.AccountLocked: {
      const seconds = retryAfter ?? 60;
      const message = isLogin(request) ? `Too many login attempts. Please try again in ${seconds} seconds.` : 'Too Many Attempts.';
      return plain(429, message, { 'retry-after': String(seconds) });
    }
    case ErrorCode.Overloaded:
    case ErrorCode.Unavailable:
      return plain(503, 'Service Unavailable', retryHeaders);
    // OAuth codes come from the OIDC endpoints only; Laravel's abort() words if one arrives here.
    case ErrorCode.InvalidClient:
      return plain(401, 'Unauthenticated.');
    case ErrorCode.InvalidGrant:
    case ErrorCode.UnauthorizedClient:
    case ErrorCode.UnsupportedGrantType:
    case ErrorCode.InvalidScope:
    case ErrorCode.InvalidRedirectUri:
      return plain(400, error.message);
    default:
      return unhandled(error.code);
  }
}

export function renderPixelmoverProblem(problem: Problem, request: FastifyRequest): RenderedError {
  switch (problem.kind) {
    case 'core':
      return renderCore(problem.error, request);
    case 'validation':
      // The scope's schema validator accepts everything (validation.ts judges requests): these come
      // from the input boundary, or a schema that would ever refuse; either way in Laravel's shape.
      return validation(
        problem.failures.map((failure) => ({
          field: failure.field,
          // The input boundary's text rule (http/input-boundary.ts), in a Laravel rule message's words.
          message:
            failure.keyword === 'text'
              ? `The ${attributeName(failure.field)} field ${failure.message}.`
              : `The ${attributeName(failure.field)} field is invalid.`,
        })),
      );
    case 'request':
      switch (problem.status) {
        case 413:
          return plain(413, 'The POST data is too large.');
        case 415:
          return plain(415, 'Unsupported Media Type');
        case 404:
          return plain(404, 'Not Found');
        case 405:
          return plain(405, 'Method Not Allowed');
        default:
          return plain(400, 'Bad Request');
      }
    case 'internal':
      return plain(500, 'Server Error');
  }
}
