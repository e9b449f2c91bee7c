import type { GatehouseApi } from '../../core/use-cases/index.ts';
import { sessionContext } from '../../http/request-context.ts';
import { limits } from '../../http/route-limits.ts';
import { endpoint } from '../../http/routes.ts';
import { clientAuthentication, noStore } from './http.ts';
import { oauthErrors, TokenRequestSchema, TokenResponseSchema } from './schemas.ts';

/** POST /oauth2/token */
export const token = (api: GatehouseApi) =>
  endpoint({
    schema: {
      tags: ['oidc'],
      summary: 'Token endpoint',
      description:
        'Grants `authorization_code` (with PKCE), `refresh_token` (rotated on every use; a reused token ends the grant unless within the retry grace) and `client_credentials` (confidential clients). Client authentication: client_secret_basic, client_secret_post, or none for public clients. Errors as RFC 6749 §5.2.',
      consumes: ['application/x-www-form-urlencoded'],
      body: TokenRequestSchema,
      response: { 200: TokenResponseSchema, ...oauthErrors },
    },
    config: limits('refresh'),
    handler: async (request, reply) => {
      const body = request.body;
      const issued = await api.oidc.tokens.token({
        grantType: body.grant_type,
        client: clientAuthentication(request, body),
        code: body.code,
        redirectUri: body.redirect_uri,
        codeVerifier: body.code_verifier,
        refreshToken: body.refresh_token,
        scope: body.scope,
        context: sessionContext(request),
      });
      noStore(reply);
      return {
        access_token: issued.accessToken,
        token_type: 'Bearer' as const,
        expires_in: issued.expiresIn,
        scope: issued.scope,
        ...(issued.idToken !== undefined && { id_token: issued.idToken }),
        ...(issued.refreshToken !== undefined && { refresh_token: issued.refreshToken }),
        ...(issued.patient !== undefined && { patient: issued.patient }),
      };
    },
  });
