import { Type, type Static } from 'typebox';
import type { GatehouseApi } from '../../core/use-cases/index.ts';
import { sessionContext } from '../../http/request-context.ts';
import { limits } from '../../http/route-limits.ts';
import { endpoint } from '../../http/routes.ts';
import { MfaRequiredResponse } from './mfa.ts';
import { LoginBody, type LoginRequest, type OAuth2PasswordForm, TokenPairResponse, errorResponses } from './schemas.ts';

/** POST /api/v1/auth/login: JSON or the OAuth2 password form, for a token pair (or an MFA challenge). */
export const login = (api: GatehouseApi) =>
  endpoint({
    schema: {
      tags: ['jinuai'],
      summary: 'Login',
      description:
        'JSON `{email, password}`, or the OAuth2 password form (`grant_type=password&username=<email>&password=...`) that Swagger UI and OAuth2 tooling send.',
      consumes: ['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data'],
      body: LoginBody,
      response: { 200: Type.Union([TokenPairResponse, MfaRequiredResponse]), ...errorResponses },
    },
    config: limits('login', { account: ['email', 'username'], shed: true }),
    handler: async (request) => {
      const body = request.body;
      const { email, password } =
        'username' in body
          ? { email: (body as Static<typeof OAuth2PasswordForm>).username, password: body.password }
          : (body as Static<typeof LoginRequest>);
      const result = await api.signIn.withPassword({
        tenant: request.tenant,
        email,
        password,
        session: { kind: 'tokens' },
        context: sessionContext(request),
      });
      // With MFA enrolled, a correct password earns a challenge, finished at POST /auth/mfa/verify.
      if ('mfaChallenge' in result) return { mfa_required: true as const, mfa_token: result.mfaChallenge, token_type: 'mfa' as const };
      return { access_token: result.tokens.accessToken, refresh_token: result.tokens.refreshToken, token_type: 'bearer' as const };
    },
  });
