import type { GatehouseApi } from '../../core/use-cases/index.ts';
import { sessionContext } from '../../http/request-context.ts';
import { limits } from '../../http/route-limits.ts';
import { endpoint } from '../../http/routes.ts';
import { AccessTokenResponse, RefreshRequest, errorResponses } from './schemas.ts';

/** POST /api/v1/auth/token: a refresh token of the served project for a new access token. */
export const token = (api: GatehouseApi) =>
  endpoint({
    schema: {
      tags: ['jinuai'],
      summary: 'Refresh the access token',
      description:
        'Refresh tokens rotate: the one sent is spent and the answer carries its replacement in `refresh_token`. Reusing a spent token ends the session (after a short grace window for retries).',
      body: RefreshRequest,
      response: { 200: AccessTokenResponse, ...errorResponses },
    },
    config: limits('refresh'),
    handler: async (request) => {
      const pair = await api.signIn.refresh({
        refreshToken: request.body.refresh_token,
        tenant: request.tenant,
        context: sessionContext(request),
      });
      return { access_token: pair.accessToken, token_type: 'bearer' as const, refresh_token: pair.refreshToken };
    },
  });
