import { Type } from 'typebox';
import type { GatehouseApi } from '../../core/use-cases/index.ts';
import { sessionContext } from '../../http/request-context.ts';
import { limits } from '../../http/route-limits.ts';
import { endpoint } from '../../http/routes.ts';
import { clientAuthentication, noStore } from './http.ts';
import { oauthErrors, TokenInputSchema } from './schemas.ts';

/** POST /oauth2/revoke (RFC 7009) */
export const revoke = (api: GatehouseApi) =>
  endpoint({
    schema: {
      tags: ['oidc'],
      summary: 'Token revocation (RFC 7009)',
      description:
        'Revokes a refresh or access token of the calling client and the grant it belongs to. Unknown tokens get the same empty 200.',
      consumes: ['application/x-www-form-urlencoded'],
      body: TokenInputSchema,
      response: { 200: Type.Object({}), ...oauthErrors },
    },
    config: limits('refresh'),
    handler: async (request, reply) => {
      await api.oidc.inspection.revoke({
        client: clientAuthentication(request, request.body),
        token: request.body.token,
        context: sessionContext(request),
      });
      noStore(reply);
      return {};
    },
  });

/** POST /oauth2/introspect (RFC 7662) */
export const introspect = (api: GatehouseApi) =>
  endpoint({
    schema: {
      tags: ['oidc'],
      summary: 'Token introspection (RFC 7662)',
      description: 'For confidential clients (resource servers) of the token’s project: whether the token is active, and its claims.',
      consumes: ['application/x-www-form-urlencoded'],
      body: TokenInputSchema,
      response: { 200: Type.Object({ active: Type.Boolean() }, { additionalProperties: true }), ...oauthErrors },
    },
    config: limits('api'),
    handler: async (request, reply) => {
      const answer = await api.oidc.inspection.introspect({
        client: clientAuthentication(request, request.body),
        token: request.body.token,
      });
      noStore(reply);
      return answer;
    },
  });
