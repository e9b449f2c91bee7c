import { Type } from 'typebox';
import type { SessionChoice } from '../../core/use-cases/session-control.ts';
import type { GatehouseApi } from '../../core/use-cases/index.ts';
import { principalOf } from '../../http/authenticate.ts';
import { sessionContext } from '../../http/request-context.ts';
import { limits } from '../../http/route-limits.ts';
import { endpoint } from '../../http/routes.ts';
import { signedIn } from './guard.ts';
import { SessionOptionParams, SessionsResponse, errorResponses } from './schemas.ts';
import { sessionView } from './views.ts';

const security = [{ bearer: [] }];

/** POST /auth/logout: ends this session. */
export const logout = (api: GatehouseApi) =>
  endpoint({
    schema: { tags: ['ovok'], summary: 'Sign out this session', security, response: { 204: Type.Null(), ...errorResponses } },
    config: limits('auth'),
    preHandler: signedIn(api),
    handler: async (request, reply) => {
      await api.credentials.logout(principalOf(request), sessionContext(request));
      return reply.code(204).send(null);
    },
  });

/** GET /auth/session: the user's active sessions. */
export const listSessions = (api: GatehouseApi) =>
  endpoint({
    schema: { tags: ['ovok'], summary: 'Active sessions of the user', security, response: { 200: SessionsResponse, ...errorResponses } },
    preHandler: signedIn(api),
    handler: async (request) => ({ sessions: (await api.sessions.list(principalOf(request))).map(sessionView) }),
  });

/** DELETE /auth/session/:option: ends all, the current, the other, or one session (by id). */
export const revokeSessions = (api: GatehouseApi) =>
  endpoint({
    schema: {
      tags: ['ovok'],
      summary: 'Revoke sessions: all, current, other, or one by id',
      security,
      params: SessionOptionParams,
      response: { 200: SessionsResponse, ...errorResponses },
    },
    config: limits('auth'),
    preHandler: signedIn(api),
    handler: async (request) => {
      const { option } = request.params;
      const choice: SessionChoice = option === 'all' || option === 'other' || option === 'current' ? option : { id: option };
      return { sessions: (await api.sessions.revoke(principalOf(request), choice, sessionContext(request))).map(sessionView) };
    },
  });
