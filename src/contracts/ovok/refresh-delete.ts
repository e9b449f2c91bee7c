import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { Core } from '../../core/index.ts';
import { bearerGuard, principalOf } from '../../http/auth-guard.ts';
import { sessionContext } from '../../http/request-context.ts';
import { DeleteBody, DeleteResponse, RefreshBody, RefreshResponse, errorResponses } from './schemas.ts';

const DEFAULT_DELETION_DAYS = 30;

export function registerRefreshAndDeleteRoutes(scope: FastifyInstance, core: Core): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/auth/refresh-token',
    {
      schema: {
        tags: ['ovok'],
        summary: 'Trade a refresh token for a new access token and refresh token',
        description: 'Refresh tokens rotate on every use. Reusing an old one ends the session, except for a retry within the grace window.',
        body: RefreshBody,
        response: { 200: RefreshResponse, ...errorResponses },
      },
    },
    async (request) => {
      const pair = await core.auth.refresh(request.body.refresh_token, sessionContext(request));
      return { access_token: pair.accessToken, refresh_token: pair.refreshToken, expires_in: pair.expiresIn };
    },
  );

  app.delete(
    '/auth/delete',
    {
      preHandler: bearerGuard(core),
      schema: {
        tags: ['ovok'],
        summary: 'Schedule deletion of the account',
        description: 'Signs the user out everywhere; signing in again before the date cancels the deletion.',
        security: [{ bearer: [] }],
        body: DeleteBody,
        response: { 200: DeleteResponse, ...errorResponses },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const body = request.body ?? {};
      const user = await core.users.byId(principal.userId);
      const scheduled = await core.deletions.schedule(user, body.days ?? DEFAULT_DELETION_DAYS, body.wipe ?? false);
      const project = await core.projects.get(principal.projectId);
      return {
        scheduled: (scheduled.deletion_scheduled_at ?? new Date()).toISOString(),
        user: {
          resourceType: 'User' as const,
          id: scheduled.id,
          firstName: scheduled.first_name,
          lastName: scheduled.last_name,
          email: scheduled.email,
          project: { reference: `Project/${project.id}`, display: project.name },
          meta: { versionId: String(scheduled.updated_at.getTime()), lastUpdated: scheduled.updated_at.toISOString() },
        },
      };
    },
  );
}
