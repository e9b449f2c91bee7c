import { Type } from 'typebox';
import type { GatehouseApi } from '../../core/use-cases/index.ts';
import { limits } from '../../http/route-limits.ts';
import { actorOf } from './guard.ts';
import { endpoint } from '../../http/routes.ts';
import { AdminErrorSchema, ClientInputSchema, ClientParamsSchema, ClientSchema, ProjectParamsSchema, clientView } from './schemas.ts';

const security = [{ adminToken: [] }];
const errors = { 401: AdminErrorSchema, 404: AdminErrorSchema, 422: AdminErrorSchema };

/** POST /admin/projects/:projectId/clients */
export const createClient = (api: GatehouseApi) =>
  endpoint({
    schema: {
      tags: ['admin'],
      security,
      summary: 'Create a client application (and OAuth client)',
      description:
        'Redirect URIs are matched exactly (https, http only for localhost, or a reverse-domain app scheme). A confidential client gets its `secret` in this answer only.',
      params: ProjectParamsSchema,
      body: ClientInputSchema,
      response: { 201: ClientSchema, ...errors },
    },
    config: limits('none'),
    handler: async (request, reply) => {
      const { client, secret } = await api.admin.createClient(request.params.projectId, request.body, actorOf(request));
      return reply.code(201).send(clientView(client, secret));
    },
  });

/** POST /admin/projects/:projectId/clients/:clientId/rotate-secret */
export const rotateClientSecret = (api: GatehouseApi) =>
  endpoint({
    schema: {
      tags: ['admin'],
      security,
      summary: "Replace a confidential client's secret",
      description: 'The new `secret` is in this answer only; the old one stops working at once.',
      params: ClientParamsSchema,
      response: { 200: ClientSchema, 403: AdminErrorSchema, 409: AdminErrorSchema, ...errors },
    },
    config: limits('none'),
    handler: async (request) => {
      const { client, secret } = await api.admin.rotateClientSecret(request.params.projectId, request.params.clientId, actorOf(request));
      return clientView(client, secret);
    },
  });

/** GET /admin/projects/:projectId/clients */
export const listClients = (api: GatehouseApi) =>
  endpoint({
    schema: {
      tags: ['admin'],
      security,
      summary: 'List client applications',
      params: ProjectParamsSchema,
      response: { 200: Type.Array(ClientSchema), ...errors },
    },
    handler: async (request) => (await api.admin.listClients(request.params.projectId)).map((client) => clientView(client)),
  });
