import type { FastifyRequest } from 'fastify';
import { isResourceScope } from '../../core/oidc/scopes.ts';
import type { GatehouseApi } from '../../core/use-cases/index.ts';
import { sessionContext } from '../request-context.ts';
import { limits } from '../route-limits.ts';
import { endpoint } from '../routes.ts';
import { browserOf, PAGE_PATHS, stepLocation } from './browser.ts';
import { isMessageKey, type MessageKey } from './i18n/index.ts';
import { renderPage } from './render.ts';
import { field, interactionOf } from './sign-in-flow.ts';
import type { ConsentPage } from './templates.ts';

function scopeLine(scope: string): ConsentPage['scopes'][number] {
  if (isResourceScope(scope)) return { key: 'scope.resource', params: { scope } };
  const key = `scope.${scope}`;
  return isMessageKey(key) ? { key: key as MessageKey } : { key: 'scope.resource', params: { scope } };
}

async function view(api: GatehouseApi, request: FastifyRequest) {
  return api.oidc.authorization.interaction(interactionOf(request) ?? '', browserOf(request));
}

/** GET /login/consent: what a client that is not first party asks for, with Allow and Deny. */
export const consentPage = (api: GatehouseApi) =>
  endpoint({
    schema: { hide: true },
    handler: async (request, reply) => {
      const interaction = await view(api, request);
      return renderPage(
        reply,
        request,
        'consent',
        {
          client: interaction.client.name,
          scopes: interaction.scopes.map(scopeLine),
          action: PAGE_PATHS.consent,
          hidden: { interaction: interaction.id },
        },
        { tenant: { clientId: interaction.client.id }, formActions: [interaction.params.redirectUri] },
      );
    },
  });

/** POST /login/consent: Allow (the code goes to the app) or Deny (access_denied goes to the app). */
export const consent = (api: GatehouseApi) =>
  endpoint({
    schema: { hide: true },
    config: limits('auth'),
    handler: async (request, reply) => {
      const allow = field(request.body, 'decision') === 'allow';
      const next = await api.oidc.authorization.consent(interactionOf(request) ?? '', browserOf(request), allow, sessionContext(request));
      return reply.code(303).header('location', stepLocation(next)).send();
    },
  });
