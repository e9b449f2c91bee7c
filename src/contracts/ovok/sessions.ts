import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ErrorCode, GatehouseError } from '../../core/errors.ts';
import type { Core } from '../../core/index.ts';
import { isUuid } from '../../core/projects.ts';
import { bearerGuard, principalOf } from '../../http/auth-guard.ts';
import { sessionContext } from '../../http/request-context.ts';
import { SessionOptionParams, SessionsResponse, errorResponses } from './schemas.ts';
import { sessionView } from './views.ts';

export function registerSessionRoutes(scope: FastifyInstance, core: Core): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const guard = bearerGuard(core);
  const security = [{ bearer: [] }];

  const list = async (userId: string) => ({ sessions: (await core.sessions.listActive(userId)).map(sessionView) });

  app.post(
    '/auth/logout',
    { preHandler: guard, schema: { tags: ['ovok'], summary: 'Sign out this session', security, response: { 204: Type.Null(), ...errorResponses } } },
    async (request, reply) => {
      await core.auth.logout(principalOf(request), sessionContext(request));
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/auth/session',
    { preHandler: guard, schema: { tags: ['ovok'], summary: 'Active sessions of the user', security, response: { 200: SessionsResponse, ...errorResponses } } },
    async (request) => list(principalOf(request).userId),
  );

  app.delete(
    '/auth/session/:option',
    {
      preHandler: guard,
      schema: {
        tags: ['ovok'],
        summary: 'Revoke sessions: all, current, other, or one by id',
        security,
        params: SessionOptionParams,
        response: { 200: SessionsResponse, ...errorResponses },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const current = principal.sessionId;
      const { option } = request.params;
      if (option === 'all') {
        await core.sessions.revokeAllOf(principal.userId, 'revoked_by_user');
      } else if (option === 'other') {
        await core.sessions.revokeAllOf(principal.userId, 'revoked_by_user', current ?? undefined);
      } else if (option === 'current') {
        if (current !== null) await core.sessions.revoke([current], 'revoked_by_user');
      } else {
        const session = isUuid(option) ? await core.sessions.get(option) : undefined;
        if (session === undefined || session.user_id !== principal.userId) {
          throw new GatehouseError(ErrorCode.NotFound, 'Session not found');
        }
        await core.sessions.revoke([session.id], 'revoked_by_user');
      }
      core.events.emit({ action: 'session.revoke', outcome: 'success', projectId: principal.projectId, userId: principal.userId, detail: { option: isUuid(option) ? 'id' : option }, ...sessionContext(request) });
      return list(principal.userId);
    },
  );
}
