import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { Static } from 'typebox';
import type { Core } from '../../core/index.ts';
import type { User } from '../../core/users.ts';
import { principalOf } from '../../http/auth-guard.ts';
import { sessionContext } from '../../http/request-context.ts';
import { ParsedBody } from './body.ts';
import { authenticate, jinuaiGuard, servedProject } from './guard.ts';
import { Message, RecoverBody, UpdateRequest, UserPublic, errorResponses } from './schemas.ts';
import { publicUser } from './views.ts';

/** JinuAI's grace period between a deletion request and the deletion. */
export const DELETION_GRACE_DAYS = 7;

const bearer = [{ bearer: [] }];

export function registerUserRoutes(scope: FastifyInstance, core: Core): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const guard = jinuaiGuard(core);

  app.get(
    '/user/whoami',
    { preHandler: guard, schema: { tags: ['jinuai'], summary: 'The signed-in user', security: bearer, response: { 200: UserPublic, ...errorResponses } } },
    async (request) => publicUser(await core.users.cachedById(principalOf(request).userId)),
  );

  app.post(
    '/user/update',
    {
      preHandler: guard,
      schema: {
        tags: ['jinuai'],
        summary: 'Update the public profile',
        description: 'Only the fields sent change; `null` clears bio, dob, phone or avatar_photo_id.',
        security: bearer,
        body: UpdateRequest,
        response: { 200: UserPublic, ...errorResponses },
      },
    },
    async (request) => {
      const body: Static<typeof UpdateRequest> = request.body;
      const user = await core.directory.updateProfile(principalOf(request).userId, {
        ...(body.name !== undefined && { firstName: body.name, lastName: '' }),
        ...(body.bio !== undefined && { bio: body.bio }),
        ...(body.dob !== undefined && { dob: body.dob }),
        ...(body.phone !== undefined && { phone: body.phone }),
        ...(body.avatar_photo_id !== undefined && { avatarPhotoId: body.avatar_photo_id }),
        ...(body.account !== undefined && { account: body.account }),
      });
      return publicUser(user);
    },
  );

  app.post(
    '/user/delete',
    {
      preHandler: guard,
      schema: {
        tags: ['jinuai'],
        summary: 'Schedule deletion of the account',
        description: `Signs the user out everywhere; the account is deleted after ${DELETION_GRACE_DAYS} days unless recovered (or signed in to) before then.`,
        security: bearer,
        response: { 202: Message, ...errorResponses },
      },
    },
    async (request, reply) => {
      const user = await core.users.byId(principalOf(request).userId);
      await core.deletions.schedule(user, DELETION_GRACE_DAYS, false);
      return reply.code(202).send({ message: 'SCHEDULED_FOR_DELETION' });
    },
  );

  app.post(
    '/user/recover',
    {
      schema: {
        tags: ['jinuai'],
        summary: 'Cancel a scheduled deletion',
        description:
          'Scheduling a deletion signs the user out everywhere, so this takes the credentials as JSON `{email, password}`; a caller that still holds a valid bearer token may send that and no body instead. Answers the user, `deleted_at` null.',
        security: [{}, ...bearer],
        body: RecoverBody,
        response: { 200: UserPublic, ...errorResponses },
      },
    },
    async (request) => {
      // No body (or JSON null) leaves the unparsed body in place: then the bearer token must say who.
      const body = request.body instanceof ParsedBody || request.body === null || request.body === undefined ? undefined : request.body;
      let user: User;
      if (body === undefined) {
        user = await core.users.byId((await authenticate(core, request)).userId);
      } else {
        const project = await servedProject(core);
        ({ user } = await core.auth.checkPassword(project, body.email, body.password, sessionContext(request)));
      }
      return publicUser(user.deletion_scheduled_at === null ? user : await core.deletions.cancel(user));
    },
  );
}
