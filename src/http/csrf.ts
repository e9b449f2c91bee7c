import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Core } from '../core/index.ts';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

function originOf(request: FastifyRequest): string | undefined {
  const origin = request.headers.origin;
  if (typeof origin === 'string' && origin !== '' && origin !== 'null') return origin;
  if (origin === 'null') return 'null';
  const referer = request.headers.referer;
  if (typeof referer !== 'string' || referer === '') return undefined;
  try {
    return new URL(referer).origin;
  } catch {
    return 'null';
  }
}

/**
 * PixelMover's session cookie is sent by browsers on cross-site requests too (SameSite=Lax still
 * allows top-level POSTs from some browsers and every same-site subdomain), so a state-changing request
 * authenticated only by that cookie must come from an allowed origin or the server's own. Requests
 * with an API key or bearer token are not ambient credentials and are exempt; requests without
 * Origin and Referer come from non-browser clients. The refusal is Laravel's 419.
 */
export function installCsrf(app: FastifyInstance, core: Core): void {
  app.addHook('onRequest', async (request, reply) => {
    if (SAFE.has(request.method) || !request.url.startsWith('/v1/')) return;
    if (request.headers.authorization !== undefined || request.headers['x-api-key'] !== undefined) return;
    const cookieHeader = request.headers.cookie ?? '';
    if (!cookieHeader.split(';').some((part) => part.trim().startsWith(`${core.config.sessions.cookieName}=`))) return;
    const origin = originOf(request);
    if (origin === undefined) return;
    const own = [new URL(core.config.issuer).origin, `${request.protocol}://${request.host}`];
    if (own.includes(origin) || (await core.api.tenants.allowedOrigins()).has(origin)) return;
    return reply.code(419).type('application/json').send({ message: 'CSRF token mismatch.' });
  });
}
