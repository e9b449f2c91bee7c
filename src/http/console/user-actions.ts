import { Type } from 'typebox';
import type { Actor } from '../../core/use-cases/actor.ts';
import type { GatehouseApi } from '../../core/use-cases/index.ts';
import { limits } from '../route-limits.ts';
import { endpoint } from '../routes.ts';
import type { MessageKey } from './notices.ts';
import { flashConsole } from './notices.ts';
import { actorOf, text } from './operator.ts';

const UserParams = Type.Object({ userId: Type.String({ maxLength: 100 }) });

/** What each button of the user page does: one core call with the operator as actor, and the notice to show after. */
const ACTIONS = {
  disable: { run: (api, actor, id) => api.users.update(actor, id, { isActive: false }), notice: 'disabled' },
  enable: { run: (api, actor, id) => api.users.update(actor, id, { isActive: true }), notice: 'enabled' },
  'verify-email': { run: (api, actor, id) => api.users.update(actor, id, { emailVerified: true }), notice: 'verified' },
  'revoke-sessions': { run: (api, actor, id) => api.users.revokeSessions(actor, id), notice: 'sessionsEnded' },
  unlock: { run: (api, actor, id) => api.users.unlock(actor, id), notice: 'unlocked' },
  'send-reset': { run: (api, actor, id) => api.users.sendPasswordReset(actor, id), notice: 'resetSent' },
  'reset-mfa': { run: (api, actor, id) => api.users.resetMfa(actor, id), notice: 'mfaReset' },
} as const satisfies Record<string, { run: (api: GatehouseApi, actor: Actor, userId: string) => Promise<unknown>; notice: MessageKey }>;

export type UserAction = keyof typeof ACTIONS;
export const USER_ACTIONS = Object.keys(ACTIONS) as UserAction[];

/** POST /console/users/:userId/<action>: then back to the user page (post/redirect/get) with a notice. */
export const userAction = (api: GatehouseApi, action: UserAction) =>
  endpoint({
    schema: { hide: true, params: UserParams },
    config: limits('none'),
    handler: async (request, reply) => {
      const { run, notice } = ACTIONS[action];
      await run(api, actorOf(request), request.params.userId);
      flashConsole(request, reply, 'success', notice);
      return reply.code(303).header('location', `/console/users/${request.params.userId}`).send();
    },
  });

/** POST /console/users/:userId/sessions/:sessionId/end: ends one session. */
export const endSession = (api: GatehouseApi) =>
  endpoint({
    schema: { hide: true, params: Type.Object({ userId: Type.String({ maxLength: 100 }), sessionId: Type.String({ maxLength: 100 }) }) },
    config: limits('none'),
    handler: async (request, reply) => {
      await api.users.revokeSession(actorOf(request), request.params.userId, request.params.sessionId);
      flashConsole(request, reply, 'success', 'sessionEnded');
      return reply.code(303).header('location', `/console/users/${request.params.userId}`).send();
    },
  });

/** POST /console/users/:userId/delete: only when the operator typed the user's email exactly (typed confirmation). */
export const deleteUser = (api: GatehouseApi) =>
  endpoint({
    schema: { hide: true, params: UserParams },
    config: limits('none'),
    handler: async (request, reply) => {
      const actor = actorOf(request);
      const { user } = await api.users.show(actor, request.params.userId);
      if (text(request.body, 'confirm').toLowerCase() !== user.email.toLowerCase()) {
        flashConsole(request, reply, 'error', 'deleteMismatch');
        return reply.code(303).header('location', `/console/users/${user.id}`).send();
      }
      await api.users.delete(actor, user.id);
      flashConsole(request, reply, 'success', 'deleted');
      return reply.code(303).header('location', '/console/users').send();
    },
  });
