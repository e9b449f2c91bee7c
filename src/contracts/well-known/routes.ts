import type { FastifyPluginAsync } from 'fastify';
import type { ContractOptions } from '../contract.ts';

/** Discovery: enough for any stock JOSE/OIDC library to verify our access tokens. */
export const wellKnownContract: FastifyPluginAsync<ContractOptions> = async (app, { api, config }) => {
  app.get('/.well-known/jwks.json', { schema: { tags: ['well-known'], summary: 'Public keys that sign access tokens' } }, async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=300');
    return api.publicJwks();
  });

  app.get(
    '/.well-known/openid-configuration',
    { schema: { tags: ['well-known'], summary: 'Discovery document' } },
    async (_request, reply) => {
      const issuer = config.issuer;
      reply.header('cache-control', 'public, max-age=300');
      return {
        issuer,
        jwks_uri: `${issuer}/.well-known/jwks.json`,
        token_endpoint: `${issuer}/auth/refresh-token`,
        userinfo_endpoint: `${issuer}/auth/me`,
        response_types_supported: ['token'],
        grant_types_supported: ['password', 'refresh_token'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['ES256'],
        token_endpoint_auth_methods_supported: ['none'],
        claims_supported: ['iss', 'sub', 'aud', 'iat', 'exp', 'sid', 'project_id', 'profile'],
      };
    },
  );
};
