import { Type } from 'typebox';
import type { GatehouseApi } from '../../core/use-cases/index.ts';
import { limits } from '../../http/route-limits.ts';
import { actorOf } from './guard.ts';
import { endpoint } from '../../http/routes.ts';
import { AdminErrorSchema, ProjectInputSchema, ProjectParamsSchema, ProjectPatchSchema, ProjectSchema, projectView } from './schemas.ts';

const security = [{ adminToken: [] }];
const errors = { 401: AdminErrorSchema, 404: AdminErrorSchema, 422: AdminErrorSchema };

/** POST /admin/projects */
export const createProject = (api: GatehouseApi) =>
  endpoint({
    schema: {
      tags: ['admin'],
      security,
      summary: 'Create a project',
      body: ProjectInputSchema,
      response: { 201: ProjectSchema, ...errors },
    },
    config: limits('none'),
    handler: async (request, reply) => {
      const { name, selfRegisterTypes, accessTokenTtlSeconds, refreshTokenTtlSeconds, settings } = request.body;
      const project = await api.admin.createProject(
        {
          name,
          ...(selfRegisterTypes && { selfRegisterTypes }),
          ...(accessTokenTtlSeconds !== undefined && { accessTokenTtlSeconds }),
          ...(refreshTokenTtlSeconds !== undefined && { refreshTokenTtlSeconds }),
          ...(settings && { settings }),
        },
        actorOf(request),
      );
      return reply.code(201).send(projectView(project));
    },
  });

/** GET /admin/projects */
export const listProjects = (api: GatehouseApi) =>
  endpoint({
    schema: { tags: ['admin'], security, summary: 'List projects', response: { 200: Type.Array(ProjectSchema), 401: AdminErrorSchema } },
    handler: async () => (await api.admin.listProjects()).map(projectView),
  });

/** GET /admin/projects/:projectId */
export const getProject = (api: GatehouseApi) =>
  endpoint({
    schema: { tags: ['admin'], security, summary: 'One project', params: ProjectParamsSchema, response: { 200: ProjectSchema, ...errors } },
    handler: async (request) => projectView(await api.admin.project(request.params.projectId)),
  });

/** PATCH /admin/projects/:projectId */
export const updateProject = (api: GatehouseApi) =>
  endpoint({
    schema: {
      tags: ['admin'],
      security,
      summary: 'Change a project: name, self-registering profile types, token lifetimes, settings',
      params: ProjectParamsSchema,
      body: ProjectPatchSchema,
      response: { 200: ProjectSchema, ...errors },
    },
    config: limits('none'),
    handler: async (request) => {
      const { name, selfRegisterTypes, accessTokenTtlSeconds, refreshTokenTtlSeconds, settings } = request.body;
      const project = await api.admin.updateProject(
        request.params.projectId,
        {
          ...(name !== undefined && { name }),
          ...(selfRegisterTypes && { selfRegisterTypes }),
          ...(accessTokenTtlSeconds !== undefined && { accessTokenTtlSeconds }),
          ...(refreshTokenTtlSeconds !== undefined && { refreshTokenTtlSeconds }),
          ...(settings && { settings }),
        },
        actorOf(request),
      );
      return projectView(project);
    },
  });
