import { Type } from 'typebox';
import type { Config } from '../../config.ts';
import { CLAIMS_SUPPORTED } from '../../core/oidc/claims.ts';
import { KNOWN_SCOPES } from '../../core/oidc/scopes.ts';
import type { GatehouseApi } from '../../core/use-cases/index.ts';
import { endpoint } from '../../http/routes.ts';

const tags = ['oidc'];
const ALG = ['ES256'];
const CLIENT_AUTH = ['client_secret_basic', 'client_secret_post'];
/** SMART resource scopes offered as examples; any `patient|user|system/<Type>.<cruds>` a client is registered with works. */
const RESOURCE_SCOPE_EXAMPLES = ['patient/*.rs', 'patient/*.read', 'user/*.rs', 'user/*.read', 'system/*.rs'];

/** Where each endpoint is, under the issuer. */
export function endpoints(config: Pick<Config, 'issuer'>) {
  const base = config.issuer;
  return {
    issuer: base,
    authorization_endpoint: `${base}/oauth2/authorize`,
    token_endpoint: `${base}/oauth2/token`,
    userinfo_endpoint: `${base}/oauth2/userinfo`,
    jwks_uri: `${base}/.well-known/jwks.json`,
    revocation_endpoint: `${base}/oauth2/revoke`,
    introspection_endpoint: `${base}/oauth2/introspect`,
    end_session_endpoint: `${base}/oauth2/logout`,
  };
}

/** GET /.well-known/openid-configuration (OpenID Connect Discovery 1.0 §3, RFC 8414). */
export const openidConfiguration = (config: Config) =>
  endpoint({
    schema: { tags, summary: 'OpenID provider metadata', response: { 200: Type.Record(Type.String(), Type.Unknown()) } },
    handler: async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return {
        ...endpoints(config),
        scopes_supported: [...KNOWN_SCOPES, ...RESOURCE_SCOPE_EXAMPLES],
        response_types_supported: ['code'],
        response_modes_supported: ['query'],
        grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ALG,
        token_endpoint_auth_methods_supported: [...CLIENT_AUTH, 'none'],
        revocation_endpoint_auth_methods_supported: [...CLIENT_AUTH, 'none'],
        introspection_endpoint_auth_methods_supported: CLIENT_AUTH,
        code_challenge_methods_supported: ['S256'],
        prompt_values_supported: ['none', 'login', 'consent'],
        claims_supported: [...CLAIMS_SUPPORTED],
        claim_types_supported: ['normal'],
        display_values_supported: ['page'],
        ui_locales_supported: ['en', 'de'],
        claims_parameter_supported: false,
        request_parameter_supported: false,
        request_uri_parameter_supported: false,
        require_request_uri_registration: false,
        authorization_response_iss_parameter_supported: true,
        frontchannel_logout_supported: false,
        backchannel_logout_supported: false,
        service_documentation: `${config.issuer}/docs`,
      };
    },
  });

/** GET /.well-known/smart-configuration (SMART App Launch 2.x, standalone launch). */
export const smartConfiguration = (config: Config) =>
  endpoint({
    schema: { tags, summary: 'SMART App Launch configuration', response: { 200: Type.Record(Type.String(), Type.Unknown()) } },
    handler: async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      const { issuer, jwks_uri, authorization_endpoint, token_endpoint, userinfo_endpoint, revocation_endpoint, introspection_endpoint } =
        endpoints(config);
      return {
        issuer,
        jwks_uri,
        authorization_endpoint,
        token_endpoint,
        userinfo_endpoint,
        revocation_endpoint,
        introspection_endpoint,
        grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
        token_endpoint_auth_methods_supported: [...CLIENT_AUTH, 'none'],
        scopes_supported: ['openid', 'fhirUser', 'launch/patient', 'offline_access', 'profile', 'email', ...RESOURCE_SCOPE_EXAMPLES],
        response_types_supported: ['code'],
        code_challenge_methods_supported: ['S256'],
        capabilities: [
          'launch-standalone',
          'authorize-post',
          'client-public',
          'client-confidential-symmetric',
          'sso-openid-connect',
          'context-standalone-patient',
          'permission-offline',
          'permission-patient',
          'permission-user',
          'permission-v1',
          'permission-v2',
        ],
      };
    },
  });

/** GET /.well-known/jwks.json */
export const jwks = (api: GatehouseApi) =>
  endpoint({
    schema: {
      tags,
      summary: 'Public keys that sign access and ID tokens',
      response: { 200: Type.Object({ keys: Type.Array(Type.Record(Type.String(), Type.Unknown())) }) },
    },
    handler: async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return api.publicJwks();
    },
  });
