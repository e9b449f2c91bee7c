import { parseCookie, stringifySetCookie } from 'cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The pages' own cookies (CSRF token, flash notice). Read from the header with the `cookie`
 * package rather than @fastify/cookie, so that page helpers work in any scope, also in a
 * contract's (the OIDC endpoints render error pages).
 */

/** Cookies are `Secure` when the request came over https or the public issuer URL is https. */
export function overHttps(request: FastifyRequest): boolean {
  return request.protocol === 'https' || request.server.pages.config.issuer.startsWith('https:');
}

/**
 * A cookie's name: on https with the `__Host-` prefix, which browsers accept only from a secure
 * origin, without Domain and with Path=/, so a sibling subdomain cannot plant or overwrite it.
 */
export function cookieName(request: FastifyRequest, base: string): string {
  return overHttps(request) ? `__Host-${base}` : base;
}

export function readCookie(request: FastifyRequest, base: string): string | undefined {
  const header = request.headers.cookie;
  if (header === undefined || header === '') return undefined;
  return parseCookie(header)[cookieName(request, base)];
}

/**
 * HttpOnly, SameSite=Lax (or Strict, for the console's cookies), Path=/, Secure on https; a
 * session cookie unless maxAge is given.
 */
export function writeCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  base: string,
  value: string,
  options?: number | { readonly maxAge?: number; readonly sameSite?: 'lax' | 'strict' },
): void {
  const name = cookieName(request, base);
  const { maxAge, sameSite = 'lax' } = typeof options === 'number' ? { maxAge: options } : (options ?? {});
  const cookie = stringifySetCookie({
    name,
    value,
    path: '/',
    httpOnly: true,
    sameSite,
    secure: overHttps(request),
    ...(maxAge !== undefined && { maxAge }),
  });
  const current = reply.getHeader('set-cookie');
  const list = current === undefined ? [] : Array.isArray(current) ? current.map(String) : [String(current)];
  reply.header('set-cookie', [...list.filter((line) => !line.startsWith(`${name}=`)), cookie]);
}
