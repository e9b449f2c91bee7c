import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ErrorCode, type GatehouseError } from '../../core/errors.ts';
import { sendProblem, type RenderedError } from '../../http/error-mapping.ts';
import { PAGE_ERRORS, renderErrorPage } from '../../http/pages/index.ts';
import { toProblem, unhandled, type Problem } from '../../http/problems.ts';

/** RFC 6749 §5.2 (and RFC 6750 §3.1 at userinfo): `{error, error_description}`. */
function oauth(status: number, error: string, description: string, headers?: Record<string, string>): RenderedError {
  return {
    status,
    body: { error, error_description: description },
    contentType: 'application/json; charset=utf-8',
    ...(headers && { headers }),
  };
}

/** Routes whose errors a person reads in the browser: a page, never a redirect to an untrusted URI. */
const PAGE_ROUTES = new Set(['/oauth2/authorize', '/oauth2/logout']);

function isUserinfo(request: FastifyRequest): boolean {
  return request.routeOptions.url === '/oauth2/userinfo';
}

function retry(error: GatehouseError): Record<string, string> {
  return { 'retry-after': String(Math.max(1, Math.ceil(error.extra.retryAfter ?? 1))) };
}

function core(error: GatehouseError, request: FastifyRequest): RenderedError {
  const realm = 'realm="gatehouse"';
  switch (error.code) {
    case ErrorCode.InvalidClient:
      // RFC 6749 §5.2: 401 with a challenge for the scheme the client should use.
      return oauth(401, 'invalid_client', error.message, { 'www-authenticate': `Basic ${realm}` });
    case ErrorCode.InvalidGrant:
    case ErrorCode.InvalidRefreshToken:
      return oauth(400, 'invalid_grant', error.message);
    case ErrorCode.UnauthorizedClient:
      return oauth(400, 'unauthorized_client', error.message);
    case ErrorCode.UnsupportedGrantType:
      return oauth(400, 'unsupported_grant_type', error.message);
    case ErrorCode.InvalidScope:
      return oauth(400, 'invalid_scope', error.message);
    case ErrorCode.Unauthenticated: {
      // RFC 6750 §3.1: no error code when no token was presented at all.
      const missing = error.extra.data?.reason === 'missing';
      const challenge = missing
        ? `Bearer ${realm}`
        : `Bearer ${realm}, error="invalid_token", error_description="${error.message.replace(/["\\]/g, '')}"`;
      return oauth(401, 'invalid_token', error.message, { 'www-authenticate': challenge });
    }
    case ErrorCode.Forbidden:
      return isUserinfo(request)
        ? oauth(403, 'insufficient_scope', error.message, {
            'www-authenticate': `Bearer ${realm}, error="insufficient_scope", scope="openid"`,
          })
        : oauth(403, 'access_denied', error.message);
    case ErrorCode.InvalidRedirectUri:
    case ErrorCode.ClientNotFound:
    case ErrorCode.Validation:
    case ErrorCode.WeakPassword:
    case ErrorCode.ProfileTypeNotAllowed:
      return oauth(400, 'invalid_request', error.message);
    case ErrorCode.NotFound:
    case ErrorCode.ProjectNotFound:
      return oauth(404, 'invalid_request', error.message);
    case ErrorCode.RateLimited:
    case ErrorCode.AccountLocked:
      return oauth(429, 'temporarily_unavailable', 'Too many requests; try again later', retry(error));
    case ErrorCode.Overloaded:
    case ErrorCode.Unavailable:
      return oauth(503, 'temporarily_unavailable', 'The server is busy; try again shortly', retry(error));
    case ErrorCode.InvalidCredentials:
    case ErrorCode.InvalidMfaCode:
    case ErrorCode.EmailNotVerified:
    case ErrorCode.WrongPassword:
    case ErrorCode.InvalidResetToken:
    case ErrorCode.InvalidVerificationToken:
    case ErrorCode.EmailTaken:
    case ErrorCode.AccountTaken:
    case ErrorCode.Conflict:
      return oauth(400, 'invalid_request', error.message);
    default:
      return unhandled(error.code);
  }
}

function json(problem: Problem, request: FastifyRequest): RenderedError {
  switch (problem.kind) {
    case 'core':
      return core(problem.error, request);
    case 'validation': {
      const failure = problem.failures[0];
      const field = failure?.field === '' ? failure.part : failure?.field;
      return oauth(
        400,
        'invalid_request',
        failure === undefined
          ? 'The request is invalid'
          : `${field ?? 'request'} ${failure.keyword === 'type' ? 'must be given once, as a string' : 'is invalid'}`,
      );
    }
    case 'request':
      return oauth(problem.status === 413 || problem.status === 415 ? 400 : problem.status, 'invalid_request', problem.message);
    case 'internal':
      return oauth(500, 'server_error', 'Internal server error');
  }
}

/** Renders every failure of the OpenID provider's endpoints (RFC 6749 §5.2). */
export function renderOidcProblem(problem: Problem, request: FastifyRequest): RenderedError {
  return json(problem, request);
}

/**
 * The OpenID provider's error handler: JSON for the endpoints clients call; the readable error
 * page for those a person's browser opens (authorize, logout), never a redirect to a URI that
 * was not checked.
 */
export function useOidcErrors(scope: FastifyInstance): void {
  scope.setErrorHandler(async (error, request, reply) => {
    if (!PAGE_ROUTES.has(request.routeOptions.url ?? '')) return sendProblem(reply, request, renderOidcProblem, error);
    const problem = toProblem(error);
    if (problem.kind === 'internal') request.log.error({ err: error }, 'request failed');
    const code = problem.kind === 'core' ? problem.error.code : undefined;
    const page =
      code === ErrorCode.InvalidRedirectUri
        ? PAGE_ERRORS.invalidRedirect
        : code === ErrorCode.NotFound
          ? PAGE_ERRORS.expiredRequest
          : problem.kind === 'internal'
            ? PAGE_ERRORS.internal
            : { ...PAGE_ERRORS.badRequest, status: json(problem, request).status };
    return renderErrorPage(reply, request, page);
  });
}
