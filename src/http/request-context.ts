import type { FastifyRequest } from 'fastify';
import type { SessionContext } from '../core/sessions.ts';

/** Client address (honouring TRUST_PROXY through Fastify) and user agent, for sessions and audit. */
export function sessionContext(request: FastifyRequest): SessionContext {
  const agent = request.headers['user-agent'];
  return { remoteAddress: request.ip, userAgent: typeof agent === 'string' ? agent : undefined };
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer[ \t]+([^\s]+)\s*$/i.exec(header);
  return match?.[1];
}
