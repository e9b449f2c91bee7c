import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Core } from '../../core/index.ts';
import {
  AdminErrorSchema,
  ClientInputSchema,
  ClientSchema,
  ProjectInputSchema,
  ProjectParamsSchema,
  ProjectPatchSchema,
  ProjectSchema,
  clientView,
  projectView,
} from './schemas.ts';

const security = [{ adminToken: [] }];
const errors = { 401: AdminErrorSchema, 404: AdminErrorSchema, 422: AdminErrorSchema };

export function registerProjectRoutes(scope: FastifyInstance, core: Core): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/admin/projects',
    { schema: { tags: ['admin'], security, summary: 'Create a project', body: ProjectInputSchema, response: { 201: ProjectSchema, ...errors } } },
    async (request, reply) => {
      const { name, selfRegisterTypes, accessTokenTtlSeconds, refreshTokenTtlSeconds, settings } = request.body;
      const project = await core.projects.create({
        name,
        ...(selfRegisterTypes && { selfRegisterTypes }),
        ...(accessTokenTtlSeconds !== undefined && { accessTokenTtlSeconds }),
        ...(refreshTokenTtlSeconds !== undefined && { refreshTokenTtlSeconds }),
        ...(settings && { settings }),
      });
      core.events.emit({ action: 'admin.project.create', outcome: 'success', projectId: project.id, remoteAddress: request.ip });
      return reply.code(201).send(projectView(project));
    },
  );

  app.get(
    '/admin/projects',
    { schema: { tags: ['admin'], security, summary: 'List projects', response: { 200: Type.Array(ProjectSchema), 401: AdminErrorSchema } } },
    async () => (await core.projects.list()).map(projectView),
  );

  app.get(
    '/admin/projects/:projectId',
    { schema: { tags: ['admin'], security, summary: 'One project', params: ProjectParamsSchema, response: { 200: ProjectSchema, ...errors } } },
    async (request) => projectView(await core.projects.get(request.params.projectId)),
  );

  app.patch(
    '/admin/projects/:projectId',
    {
      schema: {
        tags: ['admin'],
        security,
        summary: 'Change a project: name, self-registering profile types, token lifetimes, settings',
        params: ProjectParamsSchema,
        body: ProjectPatchSchema,
        response: { 200: ProjectSchema, ...errors },
      },
    },
    async (request) => {
      const { name, selfRegisterTypes, accessTokenTtlSeconds, refreshTokenTtlSeconds, settings } = request.body;
      const project = await core.projects.update(request.params.projectId, {
        ...(name !== undefined && { name }),
        ...(selfRegisterTypes && { selfRegisterTypes }),
        ...(accessTokenTtlSeconds !== undefined && { accessTokenTtlSeconds }),
        ...(refreshTokenTtlSeconds !== undefined && { refreshTokenTtlSeconds }),
        ...(settings && { settings }),
      });
      core.events.emit({ action: 'admin.project.update', outcome: 'success', projectId: project.id, remoteAddress: request.ip });
      return projectView(project);
    },
  );

  app.post(
    '/admin/projects/:projectId/clients',
    {
      schema: {
        tags: ['admin'],
        security,
        summary: 'Create a client application',
        params: ProjectParamsSchema,
        body: ClientInputSchema,
        response: { 201: ClientSchema, ...errors },
      },
    },
    async (request, reply) => {
      const client = await core.projects.createClient(request.params.projectId, request.body.name, request.body.allowedOrigins ?? []);
      core.events.emit({ action: 'admin.client.create', outcome: 'success', projectId: client.project_id, clientId: client.id, remoteAddress: request.ip });
      return reply.code(201).send(clientView(client));
    },
  );

  app.get(
    '/admin/projects/:projectId/clients',
    {
      schema: { tags: ['admin'], security, summary: 'List client applications', params: ProjectParamsSchema, response: { 200: Type.Array(ClientSchema), ...errors } },
    },
    async (request) => (await core.projects.listClients(request.params.projectId)).map(clientView),
  );
}
