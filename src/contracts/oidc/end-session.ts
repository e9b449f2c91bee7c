import type { FastifyReply, FastifyRequest } from 'fastify';
import type { GatehouseApi } from '../../core/use-cases/index.ts';
import { sessionContext } from '../../http/request-context.ts';
import { limits } from '../../http/route-limits.ts';
import { endpoint } from '../../http/routes.ts';
import { browserOf, PAGE_PATHS, pageUrl, setSsoCookie } from '../../http/pages/browser.ts';
import { EndSessionParamsSchema } from './schemas.ts';

type EndSessionParams = {
  id_token_hint?: string | undefined;
  post_logout_redirect_uri?: string | undefined;
  state?: string | undefined;
  client_id?: string | undefined;
  ui_locales?: string | undefined;
};

const description =
  'RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0). With an id_token_hint naming this browser’s session the user is signed out at once; otherwise the hosted page asks first. `post_logout_redirect_uri` must be registered for the client exactly, or no redirect is made.';

/** The hosted page that asks "Sign out?" (src/http/pages), with the request's parameters. */
export function confirmPage(params: EndSessionParams): string {
  const { id_token_hint, post_logout_redirect_uri, state, client_id, ui_locales } = params;
  return pageUrl(PAGE_PATHS.signOut, { id_token_hint, post_logout_redirect_uri, state, client_id, ui_locales });
}

/** After sign-out: the client's registered URI (with `state`), or the signed-out page. */
export async function endSession(
  api: GatehouseApi,
  request: FastifyRequest,
  reply: FastifyReply,
  params: EndSessionParams,
  confirmed: boolean,
  status: 302 | 303,
) {
  const outcome = await api.oidc.logout.endSession({
    idTokenHint: params.id_token_hint,
    postLogoutRedirectUri: params.post_logout_redirect_uri,
    state: params.state,
    clientId: params.client_id,
    browser: browserOf(request),
    confirmed,
    context: sessionContext(request),
  });
  if (outcome.kind === 'confirm') return reply.code(status).header('location', confirmPage(params)).send();
  setSsoCookie(request, reply, outcome.sso);
  const signedOut = pageUrl(PAGE_PATHS.signedOut, { ui_locales: params.ui_locales });
  return reply
    .code(status)
    .header('location', outcome.location ?? signedOut)
    .send();
}

/** GET /oauth2/logout */
export const endSessionGet = (api: GatehouseApi) =>
  endpoint({
    schema: { tags: ['oidc'], summary: 'End-session endpoint', description, querystring: EndSessionParamsSchema },
    handler: async (request, reply) => endSession(api, request, reply, request.query, false, 302),
  });

/** POST /oauth2/logout (form-encoded; RP-Initiated Logout §2 asks for both methods) */
export const endSessionPost = (api: GatehouseApi) =>
  endpoint({
    schema: { tags: ['oidc'], summary: 'End-session endpoint (form post)', description, body: EndSessionParamsSchema },
    config: limits('auth'),
    handler: async (request, reply) => endSession(api, request, reply, request.body, false, 303),
  });
