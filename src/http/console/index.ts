import fastifyFormbody from '@fastify/formbody';
import fastifyMultipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode, isGatehouseError } from '../../core/errors.ts';
import type { GatehouseApi } from '../../core/use-cases/index.ts';
import { toProblem } from '../problems.ts';
import { mount } from '../routes.ts';
import { requireCsrf } from '../pages/csrf.ts';
import { PAGE_ERRORS, pageErrorOf, renderErrorPage } from '../pages/error-page.ts';
import { renderConsole } from './render.ts';
import { consoleRoutes, PUBLIC_PATHS } from './routes.ts';
import { beginSignIn, clearConsoleSession, consoleSecret } from './session.ts';

/** Largest user export the console's upload takes (bigger ones: `gatehouse import` or the admin API, which stream). */
export const UPLOAD_LIMIT_BYTES = 50 * 1024 * 1024;

/**
 * The operators' web console at /console: server-rendered pages on the hosted pages' foundation
 * (CSP, CSRF, cookies, assets), in their own encapsulated scope. Every route but signing in
 * needs a console session; handlers call the use cases with the operator as the actor.
 * Call after installPages (it uses the page support and assets).
 */
export async function installConsole(app: FastifyInstance, api: GatehouseApi): Promise<void> {
  await app.register(async (scope) => {
    await scope.register(fastifyFormbody, { bodyLimit: 64 * 1024 });
    // The import upload: fields and the file as values of the body, so the CSRF check reads `_csrf` as for any form.
    await scope.register(fastifyMultipart, {
      attachFieldsToBody: 'keyValues',
      limits: { fileSize: UPLOAD_LIMIT_BYTES, files: 1, fields: 10 },
    });
    scope.addHook('onRequest', async (request, reply) => {
      const path = request.url.split('?')[0] ?? '';
      if (PUBLIC_PATHS.has(path)) return;
      const secret = consoleSecret(request);
      const operator = secret === undefined ? undefined : await api.console.access.operator(secret, request.ip).catch(signedOutOr);
      if (operator !== undefined) {
        request.operator = operator;
        return;
      }
      // No session (or one that ended): sign in, then come back here; a form post comes back to the page it was on.
      if (secret !== undefined) clearConsoleSession(request, reply);
      const back = request.method === 'GET' ? request.url : '/console';
      return reply
        .code(303)
        .header('location', await beginSignIn(api, request, reply, back))
        .send();
    });
    scope.setErrorHandler(async (error, request, reply) => renderConsoleError(error, request, reply));
    requireCsrf(scope, (request, reply) =>
      renderErrorPage(reply, request, PAGE_ERRORS.csrf, { back: request.url.split('?')[0] ?? '/console' }),
    );
    mount(scope, consoleRoutes(api));
  });
}

/** An ended or unknown session means "sign in again"; a user who is no operator is refused (403), as is anything else. */
function signedOutOr(error: unknown): undefined {
  if (isGatehouseError(error) && error.code === ErrorCode.Unauthenticated) return undefined;
  throw error;
}

const TEXTS: Partial<Record<number, string>> = {
  400: 'The request could not be processed. Check what you entered and try again.',
  403: 'Your operator role does not allow this.',
  404: 'There is nothing here: the user, project or client may have been deleted.',
  409: 'This conflicts with the current state (for example, only a confidential client has a secret).',
};

async function renderConsoleError(error: unknown, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const problem = toProblem(error);
  if (problem.kind === 'internal') request.log.error({ err: error }, 'request failed');
  const page = pageErrorOf(problem);
  try {
    // Signed in: the console's own error page (with navigation); else the hosted pages' one.
    if (request.operator === undefined) return await renderErrorPage(reply, request, page);
    const message = problem.kind === 'core' && problem.error.code === ErrorCode.Validation ? problem.error.message : TEXTS[page.status];
    return await renderConsole(
      reply,
      request,
      'error',
      { title: `Error ${page.status}`, status: page.status, message: message ?? 'Something went wrong.' },
      page.status,
    );
  } catch (renderError) {
    request.log.error({ err: renderError }, 'error page failed to render');
    return reply.code(500).type('text/plain; charset=utf-8').send(`Internal server error (request ${request.id})`);
  }
}
