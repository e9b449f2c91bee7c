import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../../config.ts';
import type { GatehouseApi } from '../../core/use-cases/index.ts';
import { mount, type RouteTable } from '../../http/routes.ts';
import type { ContractOptions } from '../contract.ts';
import { authorizeGet, authorizePost } from './authorize.ts';
import { jwks, openidConfiguration, smartConfiguration } from './discovery.ts';
import { endSessionGet, endSessionPost } from './end-session.ts';
import { useOidcErrors } from './errors.ts';
import { acceptForms } from './http.ts';
import { introspect, revoke } from './token-management.ts';
import { token } from './token.ts';
import { userinfoGet, userinfoPost } from './userinfo.ts';

/** Every URL of the OpenID provider, and the file that answers it. */
export const oidcRoutes = (api: GatehouseApi, config: Config): RouteTable => [
  ['GET', '/.well-known/openid-configuration', openidConfiguration(config)], // discovery.ts
  ['GET', '/.well-known/smart-configuration', smartConfiguration(config)], // discovery.ts
  ['GET', '/.well-known/jwks.json', jwks(api)], // discovery.ts
  ['GET', '/oauth2/authorize', authorizeGet(api)], // authorize.ts
  ['POST', '/oauth2/authorize', authorizePost(api)], // authorize.ts
  ['POST', '/oauth2/token', token(api)], // token.ts
  ['GET', '/oauth2/userinfo', userinfoGet(api)], // userinfo.ts
  ['POST', '/oauth2/userinfo', userinfoPost(api)], // userinfo.ts
  ['POST', '/oauth2/revoke', revoke(api)], // token-management.ts
  ['POST', '/oauth2/introspect', introspect(api)], // token-management.ts
  ['GET', '/oauth2/logout', endSessionGet(api)], // end-session.ts
  ['POST', '/oauth2/logout', endSessionPost(api)], // end-session.ts
];

/** The OpenID Connect provider (and SMART App Launch): one issuer, GATEHOUSE_ISSUER. */
export const oidcContract: FastifyPluginAsync<ContractOptions> = async (app, { api, config }) => {
  acceptForms(app);
  useOidcErrors(app);
  mount(app, oidcRoutes(api, config));
};
