import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode } from '../../core/errors.ts';
import { toProblem, type Problem } from '../problems.ts';
import type { MessageKey } from './i18n/index.ts';
import { renderPage, type PageOptions } from './render.ts';

/** An error page: its status and the catalogue keys of its heading and text. */
export interface PageError {
  readonly status: number;
  readonly heading: MessageKey;
  readonly message: MessageKey;
}

/** Names with both an `error.<name>.title` and an `error.<name>.message` in the catalogue. */
type ErrorName =
  Extract<MessageKey, `error.${string}.title`> extends `error.${infer N}.title`
    ? N & (Extract<MessageKey, `error.${string}.message`> extends `error.${infer M}.message` ? M : never)
    : never;

const page = (status: number, name: ErrorName): PageError => ({ status, heading: `error.${name}.title`, message: `error.${name}.message` });

export const PAGE_ERRORS = {
  badRequest: page(400, 'badRequest'),
  unauthorized: page(401, 'unauthorized'),
  forbidden: page(403, 'forbidden'),
  csrf: page(403, 'csrf'),
  notFound: page(404, 'notFound'),
  unknownApp: page(400, 'unknownApp'),
  conflict: page(409, 'conflict'),
  expiredLink: page(400, 'expiredLink'),
  locked: page(429, 'locked'),
  rateLimited: page(429, 'rateLimited'),
  unavailable: page(503, 'unavailable'),
  invalidRedirect: page(400, 'invalidRedirect'),
  expiredRequest: page(400, 'expiredRequest'),
  internal: page(500, 'internal'),
} as const satisfies Record<string, PageError>;

/** Every core error code as a page (the compiler names a code added without one). */
const CORE_ERRORS: Record<ErrorCode, PageError> = {
  [ErrorCode.Validation]: PAGE_ERRORS.badRequest,
  [ErrorCode.InvalidCredentials]: PAGE_ERRORS.unauthorized,
  [ErrorCode.Unauthenticated]: PAGE_ERRORS.unauthorized,
  [ErrorCode.InvalidRefreshToken]: PAGE_ERRORS.unauthorized,
  [ErrorCode.Forbidden]: PAGE_ERRORS.forbidden,
  [ErrorCode.ClientNotFound]: PAGE_ERRORS.unknownApp,
  [ErrorCode.ProjectNotFound]: PAGE_ERRORS.unknownApp,
  [ErrorCode.NotFound]: PAGE_ERRORS.notFound,
  [ErrorCode.EmailTaken]: PAGE_ERRORS.conflict,
  [ErrorCode.AccountTaken]: PAGE_ERRORS.conflict,
  [ErrorCode.ProfileTypeNotAllowed]: PAGE_ERRORS.forbidden,
  [ErrorCode.Overloaded]: PAGE_ERRORS.unavailable,
  [ErrorCode.Unavailable]: PAGE_ERRORS.unavailable,
  [ErrorCode.RateLimited]: PAGE_ERRORS.rateLimited,
  [ErrorCode.AccountLocked]: PAGE_ERRORS.locked,
  [ErrorCode.InvalidMfaCode]: PAGE_ERRORS.unauthorized,
  [ErrorCode.InvalidResetToken]: PAGE_ERRORS.expiredLink,
  [ErrorCode.InvalidVerificationToken]: PAGE_ERRORS.expiredLink,
  [ErrorCode.WeakPassword]: PAGE_ERRORS.badRequest,
  [ErrorCode.EmailNotVerified]: PAGE_ERRORS.forbidden,
  [ErrorCode.WrongPassword]: PAGE_ERRORS.unauthorized,
  [ErrorCode.Conflict]: PAGE_ERRORS.conflict,
  [ErrorCode.InvalidClient]: PAGE_ERRORS.unknownApp,
  [ErrorCode.InvalidGrant]: PAGE_ERRORS.badRequest,
  [ErrorCode.UnauthorizedClient]: PAGE_ERRORS.forbidden,
  [ErrorCode.UnsupportedGrantType]: PAGE_ERRORS.badRequest,
  [ErrorCode.InvalidScope]: PAGE_ERRORS.badRequest,
  [ErrorCode.InvalidRedirectUri]: PAGE_ERRORS.invalidRedirect,
};

export function pageErrorOf(problem: Problem): PageError {
  switch (problem.kind) {
    case 'core':
      return CORE_ERRORS[problem.error.code];
    case 'validation':
      return PAGE_ERRORS.badRequest;
    case 'request':
      return problem.status === 404 ? PAGE_ERRORS.notFound : { ...PAGE_ERRORS.badRequest, status: problem.status };
    case 'internal':
      return PAGE_ERRORS.internal;
  }
}

/**
 * The readable error page: heading, text, the request id to quote, a way on. Never a stack or
 * an internal message. `back` defaults to the start page.
 */
export function renderErrorPage(
  reply: FastifyReply,
  request: FastifyRequest,
  error: PageError,
  options: PageOptions & { readonly back?: string } = {},
): Promise<FastifyReply> {
  const back =
    options.back === undefined ? { href: '/', label: 'error.home' as const } : { href: options.back, label: 'error.back' as const };
  return renderPage(
    reply,
    request,
    'error',
    { heading: error.heading, message: error.message, back },
    { ...options, status: error.status },
  );
}

/** Whether a browser is asking for a page (navigation), not a client for JSON. */
export function wantsHtml(request: FastifyRequest): boolean {
  return request.method === 'GET' && (request.headers.accept ?? '').includes('text/html');
}

/** Anything a page route throws becomes the error page; a failure to render even that is plain text. */
export function usePageErrors(scope: FastifyInstance): void {
  scope.setErrorHandler(async (error, request, reply) => {
    const problem = toProblem(error);
    if (problem.kind === 'internal') request.log.error({ err: error }, 'request failed');
    const retryAfter = problem.kind === 'core' ? problem.error.extra.retryAfter : undefined;
    if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter));
    try {
      return await renderErrorPage(reply, request, pageErrorOf(problem));
    } catch (renderError) {
      request.log.error({ err: renderError }, 'error page failed to render');
      return reply.code(500).type('text/plain; charset=utf-8').send(`Internal server error (request ${request.id})`);
    }
  });
}
