import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import type { Core } from '../core/index.ts';

/**
 * CORS is off unless a client application lists the caller's origin in its allowed origins:
 * then that origin (and only it) may call with credentials (PixelMover's session cookie).
 */
export async function installCors(app: FastifyInstance, core: Core): Promise<void> {
  await app.register(cors, {
    credentials: true,
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    origin: (origin, callback) => {
      if (origin === undefined) return callback(null, false);
      core.api.tenants.allowedOrigins().then(
        (allowed) => callback(null, allowed.has(origin)),
        () => callback(null, false),
      );
    },
  });
}
