import type { GatehouseApi } from '../../core/use-cases/index.ts';
import { sessionContext } from '../../http/request-context.ts';
import { limits } from '../../http/route-limits.ts';
import { endpoint } from '../../http/routes.ts';
import { RefreshBody, RefreshResponse, errorResponses } from './schemas.ts';

/** POST /auth/refresh-token: a refresh token of any project for a new token pair. */
export const refreshToken = (api: GatehouseApi) =>
  endpoint({
    schema: {
      tags: ['ovok'],
      summary: 'Trade a refresh token for a new access token and refresh token',
      description: 'Refresh tokens rotate on every use. Reusing an old one ends the session, except for a retry within the grace window.',
      body: RefreshBody,
      response: { 200: RefreshResponse, ...errorResponses },
    },
    config: limits('refresh'),
    handler: async (request) => {
      const pair = await api.signIn.refresh({ refreshToken: request.body.refresh_token, context: sessionContext(request) });
      return { access_token: pair.accessToken, refresh_token: pair.refreshToken, expires_in: pair.expiresIn };
    },
  });
