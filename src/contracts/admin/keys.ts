import { Type } from 'typebox';
import type { GatehouseApi } from '../../core/use-cases/index.ts';
import { limits } from '../../http/route-limits.ts';
import { actorOf } from './guard.ts';
import { endpoint } from '../../http/routes.ts';
import { AdminErrorSchema } from './schemas.ts';

/** POST /admin/keys/rotate: new tokens are signed with a fresh key; old keys verify until their tokens expire. */
export const rotateKeys = (api: GatehouseApi) =>
  endpoint({
    schema: {
      tags: ['admin'],
      security: [{ adminToken: [] }],
      summary: 'Rotate the token signing key; old keys verify until their tokens expire',
      response: { 200: Type.Object({ kid: Type.String(), retired: Type.Array(Type.String()) }), 401: AdminErrorSchema },
    },
    config: limits('none'),
    handler: async (request) => api.admin.rotateKeys(actorOf(request)),
  });
