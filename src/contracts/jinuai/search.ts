import type { GatehouseApi } from '../../core/use-cases/index.ts';
import { principalOf } from '../../http/authenticate.ts';
import { endpoint } from '../../http/routes.ts';
import { bearer, signedIn } from './guard.ts';
import { LookupParams, SearchQuery, UserPublic, UsersPublic, errorResponses } from './schemas.ts';
import { publicUser } from './views.ts';

/** GET /api/v1/user/search: users of the project by a prefix of handle, email or name. */
export const searchUsers = (api: GatehouseApi) =>
  endpoint({
    schema: {
      tags: ['jinuai'],
      summary: 'Search users',
      description: 'Users whose account handle, email or name starts with `q` (case-insensitive), a page at a time.',
      security: bearer,
      querystring: SearchQuery,
      response: { 200: UsersPublic, ...errorResponses },
    },
    preHandler: signedIn(api),
    handler: async (request) => {
      const { q, skip, limit } = request.query;
      const { users, total } = await api.account.search(principalOf(request), { query: q, offset: skip, limit });
      return { data: users.map(publicUser), count: total };
    },
  });

/** GET /api/v1/user/:account/lookup: an active user by handle. */
export const lookupUser = (api: GatehouseApi) =>
  endpoint({
    schema: {
      tags: ['jinuai'],
      summary: 'Look a user up by account handle',
      params: LookupParams,
      response: { 200: UserPublic, ...errorResponses },
    },
    handler: async (request) => publicUser(await api.account.lookup(request.tenant, request.params.account)),
  });
