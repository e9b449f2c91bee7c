import type { FastifyRequest } from 'fastify';
import { ErrorCode, GatehouseError } from '../../core/errors.ts';
import { constantTimeEqual } from '../../core/secrets.ts';
import { bearerToken } from '../../http/request-context.ts';

/** Admin requests carry `Authorization: Bearer $GATEHOUSE_ADMIN_TOKEN`, compared in constant time. */
export function requireAdmin(adminToken: string) {
  return async (request: FastifyRequest): Promise<void> => {
    const token = bearerToken(request);
    if (token === undefined || !constantTimeEqual(token, adminToken)) {
      throw new GatehouseError(ErrorCode.Unauthenticated, 'A valid admin token is required');
    }
  };
}
