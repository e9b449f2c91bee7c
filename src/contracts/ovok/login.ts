import { Type } from 'typebox';
import type { GatehouseApi } from '../../core/use-cases/index.ts';
import { sessionContext } from '../../http/request-context.ts';
import { limits } from '../../http/route-limits.ts';
import { endpoint } from '../../http/routes.ts';
import { MfaRequiredResponse } from './outcomes.ts';
import { LoginBody, RegisterLoginResponse, errorResponses } from './schemas.ts';
import { signedInAnswer } from './views.ts';

/**
 * POST /v2/auth/login (and /auth/login, the path of the published cURL example): email and
 * password for tokens; with MFA enrolled, a challenge to finish at POST /auth/mfa/verify.
 */
export const login = (api: GatehouseApi, path: 'v1' | 'v2') =>
  endpoint({
    schema: {
      tags: ['ovok'],
      summary: path === 'v2' ? 'Login' : 'Login (v1 path)',
      description: 'Exchanges email and password for an access token (1 hour) and a refresh token.',
      body: LoginBody,
      response: { 200: Type.Union([RegisterLoginResponse, MfaRequiredResponse]), ...errorResponses },
    },
    config: limits('login', { account: ['email'], shed: true }),
    handler: async (request) => {
      const { email, password } = request.body;
      const result = await api.signIn.withPassword({
        tenant: request.tenant,
        email,
        password,
        session: { kind: 'tokens' },
        context: sessionContext(request),
      });
      if ('mfaChallenge' in result) return { login: result.mfaChallenge, mfaRequired: true as const };
      return signedInAnswer(result);
    },
  });
