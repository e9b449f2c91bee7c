import type { GatehouseApi } from '../../core/use-cases/index.ts';
import { endpoint } from '../../http/routes.ts';

/** GET /api/v1/health/liveness: 204 with no body. */
export const liveness = () =>
  endpoint({
    schema: { tags: ['jinuai'], summary: 'Liveness probe', response: { 204: { type: 'null' } } },
    handler: async (_request, reply) => reply.code(204).send(null),
  });

/** GET /api/v1/health/readiness: 204 while the database answers, else 503. */
export const readiness = (api: GatehouseApi) =>
  endpoint({
    schema: {
      tags: ['jinuai'],
      summary: 'Readiness probe (database reachable)',
      response: { 204: { type: 'null' }, 503: { type: 'object', properties: { detail: { type: 'string' } } } },
    },
    handler: async (_request, reply) =>
      (await api.health()) ? reply.code(204).send(null) : reply.code(503).send({ detail: 'Service Unavailable' }),
  });
