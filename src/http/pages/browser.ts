import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthorizationStep, Browser } from '../../core/use-cases/authorization.ts';
import { readCookie, writeCookie } from './cookies.ts';

/**
 * The OpenID provider's browser cookies, shared by the authorization endpoint and the hosted
 * pages: the binding of the browser to its authorization requests (a session cookie), and its
 * browser (SSO) sessions, one secret per project, joined by '.'. Both HttpOnly, SameSite=Lax
 * (the authorization request arrives as a top-level navigation from the app's site).
 */
const BINDING = 'gatehouse-browser';
const SSO = 'gatehouse-sso';

export function browserOf(request: FastifyRequest): Browser {
  const binding = readCookie(request, BINDING);
  const sso = (readCookie(request, SSO) ?? '').split('.').filter((part) => part !== '');
  return { binding: binding === undefined || binding === '' ? undefined : binding, sso };
}

export function setBrowserBinding(request: FastifyRequest, reply: FastifyReply, binding: string | undefined): void {
  if (binding !== undefined) writeCookie(request, reply, BINDING, binding);
}

/** The SSO cookie with these secrets (removed when none is left); it lives as long as a session may. */
export function setSsoCookie(request: FastifyRequest, reply: FastifyReply, secrets: readonly string[]): void {
  const maxAge = secrets.length === 0 ? 0 : request.server.pages.config.sessions.shortTtlSeconds;
  writeCookie(request, reply, SSO, secrets.join('.'), maxAge);
}

/** Where the hosted pages of an authorization request live. */
export const PAGE_PATHS = {
  signIn: '/login',
  code: '/login/code',
  signUp: '/login/sign-up',
  forgotPassword: '/login/forgot-password',
  resetPassword: '/login/reset-password',
  verifyEmail: '/login/verify-email',
  consent: '/login/consent',
  signOut: '/login/sign-out',
  signedOut: '/login/signed-out',
} as const;

/** A page URL with its query (undefined values left out). */
export function pageUrl(path: string, query: Readonly<Record<string, string | undefined>> = {}): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) search.set(name, value);
  const text = search.toString();
  return text === '' ? path : `${path}?${text}`;
}

/** The client's redirect URI, or the hosted page of the interaction (in the language the app asked for). */
export function stepLocation(step: AuthorizationStep): string {
  if (step.kind === 'redirect') return step.location;
  return pageUrl(step.step === 'login' ? PAGE_PATHS.signIn : PAGE_PATHS.consent, {
    interaction: step.interactionId,
    ui_locales: step.uiLocales,
  });
}
