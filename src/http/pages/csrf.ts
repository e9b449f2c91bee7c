import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest, preValidationHookHandler } from 'fastify';
import { asArray } from '../rate-limit.ts';
import { readCookie, writeCookie } from './cookies.ts';

/**
 * CSRF protection of the page forms: a per-browser random token in an HttpOnly cookie
 * (`gatehouse-csrf`, `__Host-gatehouse-csrf` on https), repeated by every form in a hidden
 * `_csrf` field (or by a script in an `x-csrf-token` header), and compared in constant time on
 * every request that can change state. A cross-site page can make the browser send the cookie
 * but cannot read it or the page that carries the token.
 */
const COOKIE = 'gatehouse-csrf';
const TOKEN = /^[A-Za-z0-9_-]{43}$/;
const ISSUED = Symbol('pagesCsrfToken');
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

type Tracked = FastifyRequest & { [ISSUED]?: string };

function valid(token: unknown): token is string {
  return typeof token === 'string' && TOKEN.test(token);
}

/** This browser's token, set as a cookie on the reply when it has none yet. */
export function csrfToken(request: FastifyRequest, reply: FastifyReply): string {
  const tracked = request as Tracked;
  if (tracked[ISSUED] !== undefined) return tracked[ISSUED];
  let token = readCookie(request, COOKIE);
  if (!valid(token)) {
    token = randomBytes(32).toString('base64url');
    writeCookie(request, reply, COOKIE, token);
  }
  tracked[ISSUED] = token;
  return token;
}

function sameSecret(a: string, b: string): boolean {
  // Digests have one length, so the comparison time says nothing about either value.
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/** Whether the request carries this browser's token (form field `_csrf` or header `x-csrf-token`). */
export function hasValidCsrfToken(request: FastifyRequest): boolean {
  const cookie = readCookie(request, COOKIE);
  const body = request.body !== null && typeof request.body === 'object' ? (request.body as Record<string, unknown>) : {};
  const sent = body._csrf ?? request.headers['x-csrf-token'];
  return valid(cookie) && valid(sent) && sameSecret(cookie, sent);
}

/**
 * Refuses, with the readable 403 page, every state-changing request of a scope that lacks the
 * token: installed on the pages scope before its routes, so no page form can forget it. Runs
 * after the body is parsed and before it is validated (a missing `_csrf` is a 403, not a 400).
 */
export function requireCsrf(scope: FastifyInstance, refuse: (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>): void {
  const check: preValidationHookHandler = async function checkCsrf(request, reply) {
    if (hasValidCsrfToken(request)) return;
    request.log.warn({ url: request.url.split('?')[0] }, 'page form refused: missing or wrong CSRF token');
    await refuse(request, reply);
    return reply;
  };
  scope.addHook('onRoute', (route) => {
    if (![route.method].flat().every((method) => SAFE.has(method.toUpperCase()))) {
      route.preValidation = [check, ...asArray(route.preValidation)];
    }
  });
}
