import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

/**
 * OpenAPI 3.1, generated from the same route schemas that validate requests. The reference
 * page at /docs serves its own assets (bundled in @fastify/swagger-ui), so it works offline.
 */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Gatehouse',
        version: '0.1.0',
        description: 'Self-hosted authentication server speaking the Ovok, PixelMover and JinuAI auth APIs.',
      },
      servers: [{ url: app.core.config.issuer }],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          adminToken: { type: 'http', scheme: 'bearer', description: 'GATEHOUSE_ADMIN_TOKEN' },
          // FastAPI-style tooling (Swagger's Authorize button) logs in with the OAuth2 password form.
          oauth2Password: { type: 'oauth2', flows: { password: { tokenUrl: '/api/v1/auth/login', scopes: {} } } },
        },
      },
      tags: [
        { name: 'ovok', description: 'Ovok auth API (Medplum-based)' },
        { name: 'pixelmover', description: 'PixelMover auth API (Laravel-style)' },
        { name: 'jinuai', description: 'JinuAI auth API (FastAPI-style)' },
        { name: 'admin', description: 'Gatehouse administration' },
        { name: 'well-known', description: 'Discovery documents and signing keys' },
      ],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
