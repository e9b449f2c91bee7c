import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { s256 } from '../../core/oidc/codes.ts';
import type { ConsoleOperator } from '../../core/use-cases/console-access.ts';
import type { GatehouseApi } from '../../core/use-cases/index.ts';
import { readCookie, writeCookie } from '../pages/cookies.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in operator of a console request (set by the console's session hook). */
    operator?: ConsoleOperator;
  }
}

/**
 * The console's cookies. `gatehouse-console` holds the console session's secret: HttpOnly,
 * SameSite=Strict (never sent on a request another site starts), Secure and `__Host-` prefixed on
 * https (which requires Path=/: the admin API accepts the same cookie). `gatehouse-console-login`
 * holds the state, PKCE verifier and return path of a sign-in under way (SameSite=Lax: the answer
 * arrives by redirect), for 10 minutes.
 */
export const SESSION_COOKIE = 'gatehouse-console';
const LOGIN_COOKIE = 'gatehouse-console-login';
const LOGIN_SECONDS = 600;

export function consoleSecret(request: FastifyRequest): string | undefined {
  const secret = readCookie(request, SESSION_COOKIE);
  return secret === undefined || secret === '' ? undefined : secret;
}

export function setConsoleSession(request: FastifyRequest, reply: FastifyReply, secret: string): void {
  writeCookie(request, reply, SESSION_COOKIE, secret, { sameSite: 'strict' });
}

export function clearConsoleSession(request: FastifyRequest, reply: FastifyReply): void {
  writeCookie(request, reply, SESSION_COOKIE, '', { maxAge: 0, sameSite: 'strict' });
}

/** Only a console path may be returned to after sign-in (no open redirect). */
export function safeReturn(path: string | undefined): string {
  return path !== undefined && /^\/console(?:[/?][^\s\\]*)?$/.test(path) && !path.startsWith('//') ? path : '/console';
}

/** Starts a sign-in: a new state and PKCE verifier in the login cookie, and the authorization URL to send the browser to. */
export async function beginSignIn(api: GatehouseApi, request: FastifyRequest, reply: FastifyReply, returnTo: string): Promise<string> {
  const { clientId, redirectUri } = await api.console.access.oauthClient();
  const state = randomBytes(24).toString('base64url');
  const verifier = randomBytes(32).toString('base64url');
  const back = Buffer.from(safeReturn(returnTo)).toString('base64url');
  writeCookie(request, reply, LOGIN_COOKIE, `${state}.${verifier}.${back}`, { maxAge: LOGIN_SECONDS });
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: redirectUri,
    scope: 'openid',
    state,
    code_challenge: s256(verifier),
    code_challenge_method: 'S256',
  });
  return `/oauth2/authorize?${query.toString()}`;
}

/** The sign-in under way (from the login cookie), cleared as it is read. */
export function takeSignIn(
  request: FastifyRequest,
  reply: FastifyReply,
): { state: string; verifier: string; returnTo: string } | undefined {
  const value = readCookie(request, LOGIN_COOKIE);
  if (value === undefined || value === '') return undefined;
  writeCookie(request, reply, LOGIN_COOKIE, '', { maxAge: 0 });
  const [state, verifier, back] = value.split('.');
  if (state === undefined || verifier === undefined || back === undefined) return undefined;
  return { state, verifier, returnTo: safeReturn(Buffer.from(back, 'base64url').toString('utf8')) };
}
