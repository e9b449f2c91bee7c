import type { FastifyRequest } from 'fastify';
import { DEFAULT_TENANT, type TenantRef } from '../../core/use-cases/tenants.ts';
import type { GatehouseApi } from '../../core/use-cases/index.ts';
import { authenticate } from '../../http/authenticate.ts';

/** Ovok's callers present an access token (from any contract of any project). */
export const signedIn = (api: GatehouseApi) => authenticate(api, { accept: ['bearer'] });

/**
 * Ovok serves every project: requests that name no user carry a `clientId` (Ovok) or a
 * `projectId` (Medplum); neither means the default project. Signed-in requests act in the
 * token's own project.
 */
export function ovokTenant(request: FastifyRequest): TenantRef {
  const body = request.body;
  if (body === null || typeof body !== 'object') return DEFAULT_TENANT;
  const { clientId, projectId } = body as { clientId?: unknown; projectId?: unknown };
  if (typeof clientId === 'string') return { clientId };
  if (typeof projectId === 'string') return { projectId };
  return DEFAULT_TENANT;
}
