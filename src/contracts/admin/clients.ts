import { Type } from 'typebox';
import type { GatehouseApi } from '../../core/use-cases/index.ts';
import { limits } from '../../http/route-limits.ts';
import { actorOf } from './guard.ts';
import { endpoint } from '../../http/routes.ts';
import { AdminErrorSchema, ClientInputSchema, ClientSchema, ProjectParamsSchema, clientView } from './schemas.ts';

const security = [{ adminToken: [] }];
const errors = { 401: AdminErrorSchema, 404: AdminErrorSchema, 422: AdminErrorSchema };

/** POST /admin/projects/:projectId/clients */
export const createClient = (api: GatehouseApi) =>
  endpoint({
    schema: { tags: ['admin'], security, summary: 'Create a client application', params: ProjectParamsSchema, body: ClientInputSchema, response: { 201: ClientSchema, ...errors } },
    config: limits('none'),
    handler: async (request, reply) => {
      const client = await api.admin.createClient(request.params.projectId, request.body, actorOf(request));
      return reply.code(201).send(clientView(client));
    },
  });

/** GET /admin/projects/:projectId/clients */
export const listClients = (api: GatehouseApi) =>
  endpoint({
    schema: { tags: ['admin'], security, summary: 'List client applications', params: ProjectParamsSchema, response: { 200: Type.Array(ClientSchema), ...errors } },
    handler: async (request) => (await api.admin.listClients(request.params.projectId)).map(clientView),
  });
