import type { FastifyRequest } from 'fastify';
import { ErrorCode, GatehouseError } from '../../core/errors.ts';
import { constantTimeEqual } from '../../core/secrets.ts';
import type { Actor } from '../../core/use-cases/actor.ts';
import type { GatehouseApi } from '../../core/use-cases/index.ts';
import { consoleSecret } from '../../http/console/session.ts';
import { hasValidCsrfToken } from '../../http/pages/csrf.ts';
import { bearerToken } from '../../http/request-context.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who calls the admin API (set by the admin guard). */
    actor?: Actor;
  }
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Admin requests carry `Authorization: Bearer $GATEHOUSE_ADMIN_TOKEN` (compared in constant time),
 * or the console's session cookie: then the operator is the actor and its role decides (a support
 * operator's DELETE is a 403), and a request that changes state must repeat the console's CSRF
 * token in `x-csrf-token`.
 */
export function requireAdmin(adminToken: string, api: GatehouseApi) {
  return async (request: FastifyRequest): Promise<void> => {
    const token = bearerToken(request);
    if (token !== undefined) {
      if (!constantTimeEqual(token, adminToken)) throw new GatehouseError(ErrorCode.Unauthenticated, 'A valid admin token is required');
      request.actor = { kind: 'admin-token', remoteAddress: request.ip };
      return;
    }
    const secret = consoleSecret(request);
    if (secret === undefined) throw new GatehouseError(ErrorCode.Unauthenticated, 'A valid admin token is required');
    const { actor } = await api.console.access.operator(secret, request.ip);
    if (!SAFE.has(request.method) && !hasValidCsrfToken(request)) {
      throw new GatehouseError(ErrorCode.Forbidden, 'The console CSRF token is required (x-csrf-token header)');
    }
    request.actor = actor;
  };
}

/** The actor the guard established; a route outside the guarded scope calling this is a programming error. */
export function actorOf(request: FastifyRequest): Actor {
  if (request.actor === undefined) throw new GatehouseError(ErrorCode.Unauthenticated, 'A valid admin token is required');
  return request.actor;
}
