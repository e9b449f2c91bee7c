import type { FastifyRequest } from 'fastify';
import type { GatehouseApi } from '../../core/use-cases/index.ts';
import { sessionContext } from '../request-context.ts';
import { limits } from '../route-limits.ts';
import { endpoint } from '../routes.ts';
import { browserOf, PAGE_PATHS, pageUrl, setSsoCookie } from './browser.ts';
import { renderPage } from './render.ts';
import { field } from './sign-in-flow.ts';

const PARAMS = ['id_token_hint', 'post_logout_redirect_uri', 'state', 'client_id'] as const;

function logoutParams(source: unknown) {
  const value = (name: (typeof PARAMS)[number]) => field(source, name) || undefined;
  return {
    idTokenHint: value('id_token_hint'),
    postLogoutRedirectUri: value('post_logout_redirect_uri'),
    state: value('state'),
    clientId: value('client_id'),
  };
}

function hidden(source: unknown): Record<string, string> {
  return Object.fromEntries(PARAMS.map((name) => [name, field(source, name)]).filter(([, value]) => value !== ''));
}

async function tenantOf(api: GatehouseApi, request: FastifyRequest) {
  const { client } = await api.oidc.logout.check(logoutParams(request.query));
  return client;
}

/** GET /login/sign-out: "Sign out?" for a logout request that did not name this browser's session. */
export const signOutPage = (api: GatehouseApi) =>
  endpoint({
    schema: { hide: true },
    handler: async (request, reply) => {
      const client = await tenantOf(api, request);
      const target = field(request.query, 'post_logout_redirect_uri');
      return renderPage(
        reply,
        request,
        'form',
        {
          heading: 'signOut.title',
          intro: 'signOut.intro',
          action: PAGE_PATHS.signOut,
          hidden: hidden(request.query),
          fields: [],
          buttons: [{ label: 'signOut.button' }],
        },
        // The URI was just checked against the client's registered ones.
        { ...(client !== undefined && { tenant: { clientId: client.id } }), ...(target !== '' && { formActions: [target] }) },
      );
    },
  });

/** POST /login/sign-out: the user confirmed; ends the browser session and goes where the app asked (if registered). */
export const signOut = (api: GatehouseApi) =>
  endpoint({
    schema: { hide: true },
    config: limits('auth'),
    handler: async (request, reply) => {
      const outcome = await api.oidc.logout.endSession({
        ...logoutParams(request.body),
        browser: browserOf(request),
        confirmed: true,
        context: sessionContext(request),
      });
      if (outcome.kind !== 'done') throw new Error('a confirmed sign-out was not carried out');
      setSsoCookie(request, reply, outcome.sso);
      const uiLocales = field(request.body, 'ui_locales') || undefined;
      return reply.redirect(outcome.location ?? pageUrl(PAGE_PATHS.signedOut, { ui_locales: uiLocales }), 303);
    },
  });

/** GET /login/signed-out */
export const signedOutPage = () =>
  endpoint({
    schema: { hide: true },
    handler: async (request, reply) =>
      renderPage(reply, request, 'form', {
        heading: 'signedOut.title',
        intro: 'signedOut.message',
        action: PAGE_PATHS.signIn,
        fields: [],
        buttons: [],
        links: [{ href: PAGE_PATHS.signIn, label: 'signedOut.signIn' }],
      }),
  });
