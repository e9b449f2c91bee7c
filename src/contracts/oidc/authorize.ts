import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RawParams } from '../../core/oidc/authorization-request.ts';
import type { AuthorizationStep } from '../../core/use-cases/authorization.ts';
import type { GatehouseApi } from '../../core/use-cases/index.ts';
import { sessionContext } from '../../http/request-context.ts';
import { limits } from '../../http/route-limits.ts';
import { endpoint } from '../../http/routes.ts';
import { browserOf, setBrowserBinding, stepLocation } from '../../http/pages/browser.ts';
import { AuthorizeParamsSchema } from './schemas.ts';

const description =
  'Authorization code flow (OpenID Connect Core §3.1.2) with PKCE. An unknown client or a redirect_uri that is not registered exactly gets an error page, never a redirect; other errors go back to the redirect URI with `state` and `iss` (RFC 9207). Without a browser session (or with prompt=login, an exceeded max_age) the user is sent to the hosted sign-in page.';

/** Sends the browser where the core decided: back to the client, or to a hosted page. */
function followStep(reply: FastifyReply, step: AuthorizationStep, status: 302 | 303): FastifyReply {
  return reply.code(status).header('location', stepLocation(step)).send();
}

async function authorize(api: GatehouseApi, request: FastifyRequest, reply: FastifyReply, raw: RawParams, status: 302 | 303) {
  const begun = await api.oidc.authorization.begin(raw, browserOf(request), sessionContext(request));
  setBrowserBinding(request, reply, begun.binding);
  return followStep(reply, begun.next, status);
}

/** GET /oauth2/authorize */
export const authorizeGet = (api: GatehouseApi) =>
  endpoint({
    schema: { tags: ['oidc'], summary: 'Authorization endpoint', description, querystring: AuthorizeParamsSchema },
    handler: async (request, reply) => authorize(api, request, reply, request.query as RawParams, 302),
  });

/** POST /oauth2/authorize (form-encoded; OpenID Connect Core §3.1.2.1 requires both methods). */
export const authorizePost = (api: GatehouseApi) =>
  endpoint({
    schema: { tags: ['oidc'], summary: 'Authorization endpoint (form post)', description, body: AuthorizeParamsSchema },
    config: limits('auth'),
    handler: async (request, reply) => authorize(api, request, reply, request.body as RawParams, 303),
  });
