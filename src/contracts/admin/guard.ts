import type { FastifyRequest } from 'fastify';
import { ErrorCode, GatehouseError } from '../../core/errors.ts';
import { constantTimeEqual } from '../../core/secrets.ts';
import type { Actor } from '../../core/use-cases/actor.ts';
import { bearerToken } from '../../http/request-context.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who calls the admin API (set by the admin guard). */
    actor?: Actor;
  }
}

/** Admin requests carry `Authorization: Bearer $GATEHOUSE_ADMIN_TOKEN`, compared in constant time. */
export function requireAdmin(adminToken: string) {
  return async (request: FastifyRequest): Promise<void> => {
    const token = bearerToken(request);
    if (token === undefined || !constantTimeEqual(token, adminToken)) {
      throw new GatehouseError(ErrorCode.Unauthenticated, 'A valid admin token is required');
    }
    request.actor = { kind: 'admin-token', remoteAddress: request.ip };
  };
}

/** The actor the guard established; a route outside the guarded scope calling this is a programming error. */
export function actorOf(request: FastifyRequest): Actor {
  if (request.actor === undefined) throw new GatehouseError(ErrorCode.Unauthenticated, 'A valid admin token is required');
  return request.actor;
}
