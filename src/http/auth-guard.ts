import type { FastifyRequest } from 'fastify';
import type { Principal } from '../core/auth.ts';
import { ErrorCode, GatehouseError } from '../core/errors.ts';
import type { Core } from '../core/index.ts';
import { bearerToken } from './request-context.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

/**
 * A preHandler that accepts only a valid, unrevoked access token. Contracts that also take
 * cookies or API keys compose their own guard from the core's authenticate* calls.
 */
export function bearerGuard(core: Core, options: { projectId?: () => Promise<string> } = {}) {
  return async (request: FastifyRequest): Promise<void> => {
    const token = bearerToken(request);
    if (token === undefined) throw new GatehouseError(ErrorCode.Unauthenticated, 'Not authenticated');
    const principal = await core.auth.authenticateBearer(token);
    // A contract bound to one project must not accept a token issued for another project's client.
    if (options.projectId !== undefined && principal.projectId !== (await options.projectId())) {
      throw new GatehouseError(ErrorCode.Unauthenticated, 'Token was issued for another project');
    }
    request.principal = principal;
  };
}

/** The principal a guard attached; a route without a guard calling this is a programming error. */
export function principalOf(request: FastifyRequest): Principal {
  if (request.principal === undefined) throw new GatehouseError(ErrorCode.Unauthenticated, 'Not authenticated');
  return request.principal;
}
