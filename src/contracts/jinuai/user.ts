import type { Static } from 'typebox';
import type { GatehouseApi } from '../../core/use-cases/index.ts';
import { identify, principalOf } from '../../http/authenticate.ts';
import { sessionContext } from '../../http/request-context.ts';
import { limits } from '../../http/route-limits.ts';
import { endpoint } from '../../http/routes.ts';
import { ParsedBody } from './framework/body.ts';
import { bearer, CREDENTIALS, signedIn } from './guard.ts';
import { Message, RecoverBody, UpdateRequest, UserPublic, errorResponses } from './schemas.ts';
import { publicUser } from './views.ts';

/** JinuAI's grace period between a deletion request and the deletion. */
export const DELETION_GRACE_DAYS = 7;

/** GET /api/v1/user/whoami */
export const whoami = (api: GatehouseApi) =>
  endpoint({
    schema: { tags: ['jinuai'], summary: 'The signed-in user', security: bearer, response: { 200: UserPublic, ...errorResponses } },
    preHandler: signedIn(api),
    handler: async (request) => publicUser(await api.account.user(principalOf(request))),
  });

/** POST /api/v1/user/update: only the fields sent change. */
export const updateUser = (api: GatehouseApi) =>
  endpoint({
    schema: {
      tags: ['jinuai'],
      summary: 'Update the public profile',
      description: 'Only the fields sent change; `null` clears bio, dob, phone or avatar_photo_id.',
      security: bearer,
      body: UpdateRequest,
      response: { 200: UserPublic, ...errorResponses },
    },
    config: limits('none'),
    preHandler: signedIn(api),
    handler: async (request) => {
      const body: Static<typeof UpdateRequest> = request.body;
      const user = await api.account.updatePublicProfile(principalOf(request), {
        ...(body.name !== undefined && { firstName: body.name, lastName: '' }),
        ...(body.bio !== undefined && { bio: body.bio }),
        ...(body.dob !== undefined && { dob: body.dob }),
        ...(body.phone !== undefined && { phone: body.phone }),
        ...(body.avatar_photo_id !== undefined && { avatarPhotoId: body.avatar_photo_id }),
        ...(body.account !== undefined && { account: body.account }),
      });
      return publicUser(user);
    },
  });

/** POST /api/v1/user/delete: schedules deletion and signs the user out everywhere. */
export const deleteUser = (api: GatehouseApi) =>
  endpoint({
    schema: {
      tags: ['jinuai'],
      summary: 'Schedule deletion of the account',
      description: `Signs the user out everywhere; the account is deleted after ${DELETION_GRACE_DAYS} days unless recovered (or signed in to) before then.`,
      security: bearer,
      response: { 202: Message, ...errorResponses },
    },
    config: limits('auth'),
    preHandler: signedIn(api),
    handler: async (request, reply) => {
      await api.account.scheduleDeletion(principalOf(request), DELETION_GRACE_DAYS, false);
      return reply.code(202).send({ message: 'SCHEDULED_FOR_DELETION' });
    },
  });

/** POST /api/v1/user/recover: calls off a scheduled deletion, proven by the password (or a bearer token). */
export const recoverUser = (api: GatehouseApi) =>
  endpoint({
    schema: {
      tags: ['jinuai'],
      summary: 'Cancel a scheduled deletion',
      description:
        'Scheduling a deletion signs the user out everywhere, so this takes the credentials as JSON `{email, password}`; a caller that still holds a valid bearer token may send that and no body instead. Answers the user, `deleted_at` null.',
      security: [{}, ...bearer],
      body: RecoverBody,
      response: { 200: UserPublic, ...errorResponses },
    },
    config: limits('password-reset', { account: ['email'] }),
    handler: async (request) => {
      // No body (or JSON null) leaves the unparsed body in place: then the bearer token must say who.
      const body = request.body instanceof ParsedBody || request.body === null || request.body === undefined ? undefined : request.body;
      if (body === undefined) {
        return publicUser(await api.account.cancelDeletion({ principal: await identify(api, request, CREDENTIALS) }));
      }
      return publicUser(
        await api.account.cancelDeletion({
          tenant: request.tenant,
          email: body.email,
          password: body.password,
          context: sessionContext(request),
        }),
      );
    },
  });
