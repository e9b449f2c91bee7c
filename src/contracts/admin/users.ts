import { Type } from 'typebox';
import type { GatehouseApi } from '../../core/use-cases/index.ts';
import { limits } from '../../http/route-limits.ts';
import { endpoint } from '../../http/routes.ts';
import { actorOf } from './guard.ts';
import { AdminErrorSchema } from './schemas.ts';
import { UserDetailSchema, UserSummarySchema, userDetail, userSummary } from './user-views.ts';

const security = [{ adminToken: [] }];
const errors = { 401: AdminErrorSchema, 403: AdminErrorSchema, 404: AdminErrorSchema, 422: AdminErrorSchema };
const UserParams = Type.Object({ userId: Type.String({ maxLength: 100 }) });

/** GET /admin/users: search across projects or within one, a page at a time. */
export const findUsers = (api: GatehouseApi) =>
  endpoint({
    schema: {
      tags: ['admin'],
      security,
      summary: 'Find users by email, account, name, PixelMover number or id',
      description:
        'An id or number matches exactly; other text is a case-insensitive prefix of the email, account or name. Pass `nextCursor` back as `cursor`.',
      querystring: Type.Object({
        projectId: Type.Optional(Type.String({ format: 'uuid' })),
        q: Type.Optional(Type.String({ maxLength: 320 })),
        cursor: Type.Optional(Type.String({ maxLength: 1000 })),
        limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$', description: '1–200, default 50' })),
      }),
      response: {
        200: Type.Object({ items: Type.Array(UserSummarySchema), nextCursor: Type.Union([Type.String(), Type.Null()]) }),
        ...errors,
      },
    },
    handler: async (request) => {
      const { projectId, q, cursor, limit } = request.query;
      const page = await api.users.find(actorOf(request), {
        ...(projectId && { projectId }),
        ...(q && { query: q }),
        ...(cursor && { cursor }),
        limit: Number(limit ?? 50),
      });
      return { items: page.users.map(userSummary), nextCursor: page.nextCursor };
    },
  });

/** GET /admin/users/:userId: profile, ids, MFA, keys (masked), sessions, lockout and audit trail. */
export const showUser = (api: GatehouseApi) =>
  endpoint({
    schema: {
      tags: ['admin'],
      security,
      summary: 'One user, with sessions, keys and audit trail',
      params: UserParams,
      response: { 200: UserDetailSchema, ...errors },
    },
    handler: async (request) => userDetail(await api.users.show(actorOf(request), request.params.userId)),
  });

/** PATCH /admin/users/:userId: disable/enable, mark the email verified, plan and credits. */
export const updateUser = (api: GatehouseApi) =>
  endpoint({
    schema: {
      tags: ['admin'],
      security,
      summary: 'Disable or enable a user, mark the email verified, change plan or credits',
      description: 'Disabling ends every session of the user at once.',
      params: UserParams,
      body: Type.Object(
        {
          active: Type.Optional(Type.Boolean()),
          emailVerified: Type.Optional(Type.Boolean()),
          plan: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
          credits: Type.Optional(Type.Number({ minimum: 0, maximum: 1e12 })),
        },
        { additionalProperties: false, minProperties: 1 },
      ),
      response: { 200: UserSummarySchema, ...errors },
    },
    config: limits('none'),
    handler: async (request) => {
      const { active, emailVerified, plan, credits } = request.body;
      const user = await api.users.update(actorOf(request), request.params.userId, {
        ...(active !== undefined && { isActive: active }),
        ...(emailVerified !== undefined && { emailVerified }),
        ...(plan !== undefined && { plan }),
        ...(credits !== undefined && { credits }),
      });
      return userSummary(user);
    },
  });

/** DELETE /admin/users/:userId */
export const deleteUser = (api: GatehouseApi) =>
  endpoint({
    schema: {
      tags: ['admin'],
      security,
      summary: 'Delete a user now (sessions, keys and profile with it)',
      params: UserParams,
      response: { 204: Type.Null(), ...errors },
    },
    config: limits('none'),
    handler: async (request, reply) => {
      await api.users.delete(actorOf(request), request.params.userId);
      return reply.code(204).send(null);
    },
  });

const ACTIONS = {
  'revoke-sessions': (api: GatehouseApi) => api.users.revokeSessions.bind(api.users),
  unlock: (api: GatehouseApi) => api.users.unlock.bind(api.users),
  'send-password-reset': (api: GatehouseApi) => api.users.sendPasswordReset.bind(api.users),
  'reset-mfa': (api: GatehouseApi) => api.users.resetMfa.bind(api.users),
} as const;

/** POST /admin/users/:userId/{revoke-sessions|unlock|send-password-reset|reset-mfa} */
export const userAction = (api: GatehouseApi, action: keyof typeof ACTIONS) =>
  endpoint({
    schema: { tags: ['admin'], security, summary: `User action: ${action}`, params: UserParams, response: { 204: Type.Null(), ...errors } },
    config: limits('none'),
    handler: async (request, reply) => {
      await ACTIONS[action](api)(actorOf(request), request.params.userId);
      return reply.code(204).send(null);
    },
  });
