import type { FastifyReply, FastifyRequest } from 'fastify';
import type { GatehouseApi } from '../../core/use-cases/index.ts';
import type { Session } from '../../core/sessions.ts';
import { authenticate } from '../../http/authenticate.ts';

/**
 * PixelMover's callers: `Authorization: Bearer` (an API key, told by its prefix, or a Gatehouse
 * access token from any contract of the project), `X-API-Key`, or the session cookie, in that
 * order; any of them must belong to the project PixelMover serves.
 */
export const signedIn = (api: GatehouseApi, cookieName: string) =>
  authenticate(api, { accept: ['bearer', 'api_key', 'cookie'], cookieName });

/** Session cookie: HttpOnly, SameSite=Lax, Path=/, Secure over HTTPS (as seen through TRUST_PROXY). */
export function setSessionCookie(cookieName: string, request: FastifyRequest, reply: FastifyReply, session: Session, secret: string): void {
  const maxAge = Math.max(0, Math.round((session.expires_at.getTime() - Date.now()) / 1000));
  reply.setCookie(cookieName, secret, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: request.protocol === 'https',
    maxAge,
    expires: session.expires_at,
  });
}

export function clearSessionCookie(cookieName: string, request: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(cookieName, { path: '/', httpOnly: true, sameSite: 'lax', secure: request.protocol === 'https' });
}

/** Laravel's reading of a checkbox-like flag. */
export function truthy(value: unknown): boolean {
  return value === true || value === 1 || value === '1';
}

/** What PixelMover's endpoints are built with. */
export interface PixelmoverDeps {
  readonly api: GatehouseApi;
  readonly cookieName: string;
}
