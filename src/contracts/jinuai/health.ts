import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { Core } from '../../core/index.ts';

/** JinuAI's probes: 204 with no body; readiness also needs the database. */
export function registerHealthRoutes(app: FastifyInstance, core: Core): void {
  app.get('/health/liveness', { schema: { tags: ['jinuai'], summary: 'Liveness probe', response: { 204: { type: 'null' } } } }, async (_request, reply) =>
    reply.code(204).send(),
  );
  app.get('/health/readiness', { schema: { tags: ['jinuai'], summary: 'Readiness probe (database reachable)', response: { 204: { type: 'null' }, 503: { type: 'object', properties: { detail: { type: 'string' } } } } } }, async (request, reply) => {
    try {
      await sql`SELECT 1`.execute(core.database.db);
    } catch (error) {
      request.log.warn({ err: error }, 'readiness check failed');
      return reply.code(503).send({ detail: 'Service Unavailable' });
    }
    return reply.code(204).send();
  });
}
