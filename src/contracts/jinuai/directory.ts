import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { ErrorCode, GatehouseError } from '../../core/errors.ts';
import type { Core } from '../../core/index.ts';
import { principalOf } from '../../http/auth-guard.ts';
import { jinuaiGuard, servedProject } from './guard.ts';
import { LookupParams, SearchQuery, UserPublic, UsersPublic, errorResponses } from './schemas.ts';
import { publicUser } from './views.ts';

export function registerDirectoryRoutes(scope: FastifyInstance, core: Core): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const guard = jinuaiGuard(core);

  // Registered before the `{account}` route only for readability: find-my-way prefers static segments anyway.
  app.get(
    '/user/search',
    {
      preHandler: guard,
      schema: {
        tags: ['jinuai'],
        summary: 'Search users',
        description: 'Users whose account handle, email or name starts with `q` (case-insensitive), a page at a time.',
        security: [{ bearer: [] }],
        querystring: SearchQuery,
        response: { 200: UsersPublic, ...errorResponses },
      },
    },
    async (request) => {
      const { q, skip, limit } = request.query;
      const { users, total } = await core.directory.search(principalOf(request).projectId, { query: q, offset: skip, limit });
      return { data: users.map(publicUser), count: total };
    },
  );

  app.get(
    '/user/:account/lookup',
    {
      schema: {
        tags: ['jinuai'],
        summary: 'Look a user up by account handle',
        params: LookupParams,
        response: { 200: UserPublic, ...errorResponses },
      },
    },
    async (request) => {
      const project = await servedProject(core);
      const user = await core.directory.byAccount(project.id, request.params.account);
      if (user === undefined) throw new GatehouseError(ErrorCode.NotFound, 'User not found');
      return publicUser(user);
    },
  );
}
