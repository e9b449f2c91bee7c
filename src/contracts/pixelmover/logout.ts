import { Type } from 'typebox';
import { principalOf } from '../../http/authenticate.ts';
import { sessionContext } from '../../http/request-context.ts';
import { limits } from '../../http/route-limits.ts';
import { endpoint } from '../../http/routes.ts';
import { clearSessionCookie, signedIn, type PixelmoverDeps } from './guard.ts';
import { errorResponses } from './schemas.ts';

/** POST /v1/auth/logout: ends the session (cookie or bearer token; an API key stays valid) and clears the cookie. */
export const logout = ({ api, cookieName }: PixelmoverDeps) =>
  endpoint({
    schema: {
      tags: ['pixelmover'],
      summary: 'auth.logout',
      description: 'Ends the session (cookie or bearer token) and clears the cookie. 204.',
      response: { 204: Type.Null(), ...errorResponses },
    },
    config: limits('auth'),
    preHandler: signedIn(api, cookieName),
    handler: async (request, reply) => {
      await api.credentials.logout(principalOf(request), sessionContext(request));
      clearSessionCookie(cookieName, request, reply);
      return reply.code(204).send(null);
    },
  });
