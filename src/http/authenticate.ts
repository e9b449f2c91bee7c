import type {} from '@fastify/cookie';
import type { FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { Principal } from '../core/auth.ts';
import { ErrorCode, GatehouseError } from '../core/errors.ts';
import type { CredentialKind, PresentedCredential } from '../core/use-cases/credentials.ts';
import type { GatehouseApi } from '../core/use-cases/index.ts';
import { bearerToken } from './request-context.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

export interface AuthenticateOptions {
  /** Credentials the route takes, looked for in this order: Authorization bearer, X-API-Key, session cookie. */
  readonly accept: readonly CredentialKind[];
  /** Name of the session cookie (when `cookie` is accepted). */
  readonly cookieName?: string;
}

/**
 * The one authentication guard of every contract: finds the first credential the request
 * presents among those accepted and has the core turn it into a Principal, bound to the
 * request's tenant where the contract's tenant rule says so.
 */
export function authenticate(api: GatehouseApi, options: AuthenticateOptions): preHandlerAsyncHookHandler {
  return async (request) => {
    request.principal = await identify(api, request, options);
  };
}

/** The caller of a request, as the guard finds it (for routes where a credential is one proof among others). */
export function identify(api: GatehouseApi, request: FastifyRequest, options: AuthenticateOptions): Promise<Principal> {
  const tenant = request.tenantBindsCredentials ? request.tenant : undefined;
  return api.credentials.authenticate(presented(request, options), { accept: options.accept, ...(tenant !== undefined && { tenant }) });
}

function presented(request: FastifyRequest, options: AuthenticateOptions): PresentedCredential | undefined {
  const { accept } = options;
  const bearer = accept.includes('bearer') ? bearerToken(request) : undefined;
  if (bearer !== undefined) return { kind: 'bearer', token: bearer };
  const headerKey = request.headers['x-api-key'];
  if (accept.includes('api_key') && typeof headerKey === 'string' && headerKey !== '') return { kind: 'api_key', key: headerKey.trim() };
  const cookie = accept.includes('cookie') && options.cookieName !== undefined ? request.cookies[options.cookieName] : undefined;
  if (cookie !== undefined && cookie !== '') return { kind: 'cookie', secret: cookie };
  return undefined;
}

/** The principal the guard attached; a route without the guard calling this is a programming error. */
export function principalOf(request: FastifyRequest): Principal {
  if (request.principal === undefined) throw new GatehouseError(ErrorCode.Unauthenticated, 'Not authenticated');
  return request.principal;
}
