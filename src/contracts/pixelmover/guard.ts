import type { FastifyReply, FastifyRequest } from 'fastify';
import { isApiKey } from '../../core/api-keys.ts';
import type { Principal } from '../../core/auth.ts';
import { ErrorCode, GatehouseError } from '../../core/errors.ts';
import type { Core } from '../../core/index.ts';
import type { Project } from '../../core/projects.ts';
import type { Session } from '../../core/sessions.ts';
import { bearerToken } from '../../http/request-context.ts';

const defaultProjectIds = new WeakMap<Core, Promise<string>>();

/**
 * The project this contract serves: PIXELMOVER_PROJECT_ID, else the default project (whose
 * id never changes, so it is looked up once; the project itself comes from the core's cache).
 */
export async function servedProject(core: Core): Promise<Project> {
  let id: string | Promise<string> | undefined = core.config.contractProjects.pixelmover;
  if (id === undefined) {
    id = defaultProjectIds.get(core) ?? core.projects.defaultProject().then((project) => project.id);
    defaultProjectIds.set(core, id);
  }
  return core.projects.get(await id);
}

function unauthenticated(reason: string): GatehouseError {
  return new GatehouseError(ErrorCode.Unauthenticated, reason);
}

/**
 * The caller, by the first credential presented: `Authorization: Bearer` (an API key, told by
 * its prefix, or a Gatehouse access token from any contract of the project), `X-API-Key`, or
 * the session cookie. A credential that is presented but bad is refused, never skipped.
 */
export async function authenticate(core: Core, request: FastifyRequest): Promise<Principal> {
  const bearer = bearerToken(request);
  const headerKey = request.headers['x-api-key'];
  const cookie = request.cookies[core.config.sessions.cookieName];
  let principal: Principal;
  if (bearer !== undefined) {
    principal = isApiKey(bearer) ? await core.apiKeys.authenticate(bearer) : await core.auth.authenticateBearer(bearer);
  } else if (typeof headerKey === 'string' && headerKey !== '') {
    principal = await core.apiKeys.authenticate(headerKey.trim());
  } else if (cookie !== undefined && cookie !== '') {
    principal = await core.auth.authenticateCookie(cookie);
  } else {
    throw unauthenticated('Not authenticated');
  }
  if (principal.projectId !== (await servedProject(core)).id) throw unauthenticated('Credential belongs to another project');
  return principal;
}

/**
 * A preHandler admitting any caller of the served project. With `manage`, for routes that
 * change the account's credentials (API keys, password, 2FA), an API key limited to some
 * permissions is refused (403), so it cannot mint itself an unlimited key.
 */
export function pixelmoverGuard(core: Core, options: { manage?: boolean } = {}) {
  return async (request: FastifyRequest): Promise<void> => {
    const principal = await authenticate(core, request);
    if (options.manage === true && principal.via === 'api_key' && principal.apiKeyId !== undefined) {
      const key = await core.apiKeys.get(principal.userId, principal.apiKeyId);
      if (key.permissions !== null) throw new GatehouseError(ErrorCode.Forbidden, 'A restricted API key cannot manage the account');
    }
    request.principal = principal;
  };
}

/** Session cookie: HttpOnly, SameSite=Lax, Path=/, Secure over HTTPS (as seen through TRUST_PROXY). */
export function setSessionCookie(core: Core, request: FastifyRequest, reply: FastifyReply, session: Session, secret: string): void {
  const maxAge = Math.max(0, Math.round((session.expires_at.getTime() - Date.now()) / 1000));
  reply.setCookie(core.config.sessions.cookieName, secret, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: request.protocol === 'https',
    maxAge,
    expires: session.expires_at,
  });
}

export function clearSessionCookie(core: Core, request: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(core.config.sessions.cookieName, { path: '/', httpOnly: true, sameSite: 'lax', secure: request.protocol === 'https' });
}
