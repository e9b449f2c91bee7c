import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TenantRef } from '../core/use-cases/tenants.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The project this request is served for, as the contract names it (resolved by the core). */
    tenant: TenantRef;
    /** Whether credentials must belong to that project (contracts bound to one project). */
    tenantBindsCredentials: boolean;
  }
}

export interface TenantRule {
  /** The tenant of a request; runs after the body is parsed and validated, does no I/O. */
  readonly of: (request: FastifyRequest) => TenantRef;
  /** true: a bearer token, API key or cookie of another project is refused. */
  readonly bindsCredentials: boolean;
}

/**
 * One tenant rule per contract scope: a fixed project (PixelMover, JinuAI) or the `clientId`
 * a request body carries (Ovok). Handlers pass `request.tenant` to the core, which resolves
 * it (cached) and refuses unknown clients and projects.
 */
export function useTenant(scope: FastifyInstance, rule: TenantRule): void {
  // Declared up front so every request object has the same shape; set in preHandler.
  scope.decorateRequest('tenant', null as never);
  scope.decorateRequest('tenantBindsCredentials', false);
  scope.addHook('preHandler', async (request) => {
    request.tenant = rule.of(request);
    request.tenantBindsCredentials = rule.bindsCredentials;
  });
}
