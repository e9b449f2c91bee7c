import type { GatehouseApi } from '../../core/use-cases/index.ts';
import { principalOf } from '../../http/authenticate.ts';
import { limits } from '../../http/route-limits.ts';
import { endpoint } from '../../http/routes.ts';
import { signedIn } from './guard.ts';
import { DeleteBody, DeleteResponse, errorResponses } from './schemas.ts';

/** Days until deletion when the request names none. */
const DEFAULT_DELETION_DAYS = 30;

/** DELETE /auth/delete: schedules deletion of the account and signs it out everywhere. */
export const deleteAccount = (api: GatehouseApi) =>
  endpoint({
    schema: {
      tags: ['ovok'],
      summary: 'Schedule deletion of the account',
      description: 'Signs the user out everywhere; signing in again before the date cancels the deletion.',
      security: [{ bearer: [] }],
      body: DeleteBody,
      response: { 200: DeleteResponse, ...errorResponses },
    },
    config: limits('auth'),
    preHandler: signedIn(api),
    handler: async (request) => {
      const body = request.body ?? {};
      const { user, project } = await api.account.scheduleDeletion(
        principalOf(request),
        body.days ?? DEFAULT_DELETION_DAYS,
        body.wipe ?? false,
      );
      return {
        scheduled: (user.deletion_scheduled_at ?? new Date()).toISOString(),
        user: {
          resourceType: 'User' as const,
          id: user.id,
          firstName: user.first_name,
          lastName: user.last_name,
          email: user.email,
          project: { reference: `Project/${project.id}`, display: project.name },
          meta: { versionId: String(user.updated_at.getTime()), lastUpdated: user.updated_at.toISOString() },
        },
      };
    },
  });
