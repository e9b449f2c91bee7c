import type { FastifyRequest } from 'fastify';
import type { Principal } from '../../core/auth.ts';
import { ErrorCode, GatehouseError } from '../../core/errors.ts';
import type { Core } from '../../core/index.ts';
import type { Project } from '../../core/projects.ts';
import { bearerToken } from '../../http/request-context.ts';

/** The project this contract serves: JINUAI_PROJECT_ID, else the default project. */
export async function servedProject(core: Core): Promise<Project> {
  const id = core.config.contractProjects.jinuai;
  return id === undefined ? core.projects.defaultProject() : core.projects.get(id);
}

/** FastAPI's OAuth2PasswordBearer with auto_error: no usable header is "Not authenticated". */
export function notAuthenticated(): GatehouseError {
  return new GatehouseError(ErrorCode.Unauthenticated, 'Not authenticated', { data: { reason: 'missing' } });
}

/**
 * The caller of a bearer token issued to any client of the served project (so an Ovok
 * client's token works here too). Refresh tokens are not access tokens: they are opaque
 * `ghr_` strings that never verify as a signed JWT.
 */
export async function authenticate(core: Core, request: FastifyRequest): Promise<Principal> {
  const token = bearerToken(request);
  if (token === undefined) throw notAuthenticated();
  const principal = await core.auth.authenticateBearer(token);
  const project = await servedProject(core);
  if (principal.projectId !== project.id) throw new GatehouseError(ErrorCode.Unauthenticated, 'Token was issued for another project');
  return principal;
}

export function jinuaiGuard(core: Core) {
  return async (request: FastifyRequest): Promise<void> => {
    request.principal = await authenticate(core, request);
  };
}
