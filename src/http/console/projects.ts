import { Type } from 'typebox';
import { ErrorCode, GatehouseError } from '../../core/errors.ts';
import type { ClientType } from '../../core/oidc/clients.ts';
import { PROFILE_TYPES, type ProfileType } from '../../core/projects.ts';
import type { GatehouseApi } from '../../core/use-cases/index.ts';
import { limits } from '../route-limits.ts';
import { endpoint } from '../routes.ts';
import { flashConsole } from './notices.ts';
import { actorOf, text } from './operator.ts';
import { renderConsole } from './render.ts';

const ProjectParams = Type.Object({ projectId: Type.String({ format: 'uuid' }) });

/** GET /console/projects: the tenant projects (the operators' own system project is not one). */
export const projectsPage = (api: GatehouseApi) =>
  endpoint({
    schema: { hide: true },
    handler: async (request, reply) => {
      actorOf(request);
      const projects = (await api.admin.listProjects()).filter((project) => project.kind !== 'system');
      return renderConsole(reply, request, 'projects', { title: 'Projects', projects });
    },
  });

async function projectView(api: GatehouseApi, projectId: string) {
  const project = await api.admin.project(projectId);
  if (project.kind === 'system') throw new GatehouseError(ErrorCode.NotFound, 'Project not found');
  const [clients, mails] = await Promise.all([api.admin.listClients(projectId), api.admin.mailPreviews(projectId)]);
  return { project, clients, mails };
}

/** GET /console/projects/:projectId: settings form, clients, a new client's form. */
export const projectPage = (api: GatehouseApi) =>
  endpoint({
    schema: { hide: true, params: ProjectParams },
    handler: async (request, reply) => {
      actorOf(request);
      const { project, clients, mails } = await projectView(api, request.params.projectId);
      return renderConsole(reply, request, 'project', {
        title: project.name,
        project,
        clients,
        mails,
        profileTypes: PROFILE_TYPES,
        settingsJson: JSON.stringify(project.settings, null, 2),
      });
    },
  });

function lines(value: string): string[] {
  return value
    .split(/[\s,]+/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

function invalid(field: string, message: string): GatehouseError {
  return new GatehouseError(ErrorCode.Validation, message, { fields: [{ field, message }] });
}

/** POST /console/projects/:projectId: name, self-registration types, token lifetimes, feature settings (JSON). */
export const saveProject = (api: GatehouseApi) =>
  endpoint({
    schema: { hide: true, params: ProjectParams },
    config: limits('none'),
    handler: async (request, reply) => {
      const body = request.body as Record<string, unknown>;
      const raw = body.selfRegisterTypes;
      const chosen = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter((type): type is ProfileType =>
        (PROFILE_TYPES as readonly unknown[]).includes(type),
      );
      let settings: Record<string, unknown>;
      try {
        const parsed: unknown = JSON.parse(text(body, 'settings') || '{}');
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
        settings = parsed as Record<string, unknown>;
      } catch {
        throw invalid('settings', 'Feature settings must be a JSON object.');
      }
      const seconds = (name: string): number | undefined => {
        const value = text(body, name);
        if (value === '') return undefined;
        if (!/^[0-9]{1,9}$/.test(value)) throw invalid(name, 'Token lifetimes are whole numbers of seconds.');
        return Number(value);
      };
      const access = seconds('accessTokenTtlSeconds');
      const refresh = seconds('refreshTokenTtlSeconds');
      await api.admin.updateProject(
        request.params.projectId,
        {
          ...(text(body, 'name') !== '' && { name: text(body, 'name') }),
          selfRegisterTypes: chosen,
          ...(access !== undefined && { accessTokenTtlSeconds: access }),
          ...(refresh !== undefined && { refreshTokenTtlSeconds: refresh }),
          settings,
        },
        actorOf(request),
      );
      flashConsole(request, reply, 'success', 'projectSaved');
      return reply.code(303).header('location', `/console/projects/${request.params.projectId}`).send();
    },
  });

/** POST /console/projects/:projectId/clients: a new OAuth client; a confidential one's secret is shown on this answer only. */
export const createClient = (api: GatehouseApi) =>
  endpoint({
    schema: { hide: true, params: ProjectParams },
    config: limits('none'),
    handler: async (request, reply) => {
      const body = request.body as Record<string, unknown>;
      const type: ClientType = text(body, 'type') === 'confidential' ? 'confidential' : 'public';
      const issued = await api.admin.createClient(
        request.params.projectId,
        {
          name: text(body, 'name') || 'New client',
          type,
          redirectUris: lines(text(body, 'redirectUris')),
          postLogoutRedirectUris: lines(text(body, 'postLogoutRedirectUris')),
          firstParty: text(body, 'firstParty') === 'on',
          ...(type === 'confidential' && text(body, 'clientCredentials') === 'on'
            ? { grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'] }
            : {}),
        },
        actorOf(request),
      );
      return renderConsole(
        reply,
        request,
        'client-secret',
        { title: 'Client created', issued, projectId: request.params.projectId, created: true },
        201,
      );
    },
  });

/** POST /console/projects/:projectId/clients/:clientId/rotate-secret: the new secret, shown once; the old one stops working. */
export const rotateClientSecret = (api: GatehouseApi) =>
  endpoint({
    schema: { hide: true, params: Type.Object({ projectId: Type.String({ format: 'uuid' }), clientId: Type.String({ format: 'uuid' }) }) },
    config: limits('none'),
    handler: async (request, reply) => {
      const issued = await api.admin.rotateClientSecret(request.params.projectId, request.params.clientId, actorOf(request));
      return renderConsole(reply, request, 'client-secret', {
        title: 'New client secret',
        issued,
        projectId: request.params.projectId,
        created: false,
      });
    },
  });
