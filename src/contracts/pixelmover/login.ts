import { Type } from 'typebox';
import type { CookieSession } from '../../core/use-cases/sign-in.ts';
import type { User } from '../../core/users.ts';
import { sessionContext } from '../../http/request-context.ts';
import { limits } from '../../http/route-limits.ts';
import { endpoint } from '../../http/routes.ts';
import { rulesSchema } from './framework/rule-schema.ts';
import { laravelInput, validate, type Rules } from './framework/validation.ts';
import { setSessionCookie, truthy, type PixelmoverDeps } from './guard.ts';
import { LoginResponse, TwoFactorResponse, errorResponses } from './schemas.ts';
import { sessionView, subscriptionView, userView } from './views.ts';

const LOGIN_RULES: Rules = { email: 'required|string|email', password: 'required|string', remember: 'nullable|boolean' };
const TWO_FACTOR_RULES: Rules = {
  challenge: 'required|string',
  code: 'nullable|string',
  recovery_code: 'nullable|string',
  remember: 'nullable|boolean',
};

/** The answer to a completed sign-in: the user as it now is, and the session. */
function signedInAnswer(signedIn: { readonly user: User; readonly cookie: CookieSession }) {
  return {
    success: true,
    data: { user: userView(signedIn.user), session: sessionView(signedIn.cookie.session), subscription: subscriptionView(signedIn.user) },
  };
}

/** POST /v1/auth/login: signs in with a session cookie, or answers a two-factor challenge. */
export const login = ({ api, cookieName }: PixelmoverDeps) =>
  endpoint({
    schema: {
      tags: ['pixelmover'],
      summary: 'auth.login',
      description:
        'Signs in and sets the session cookie; `remember` picks the long session lifetime. With two-factor authentication on, answers `{two_factor: true, challenge}` instead: finish at `/v1/auth/two-factor-challenge`.',
      body: rulesSchema(LOGIN_RULES, { title: 'LoginRequest', descriptions: { remember: 'optional remember flag for session lifetime' } }),
      response: { 200: Type.Union([LoginResponse, TwoFactorResponse]), ...errorResponses },
    },
    config: limits('login', { account: ['email'], shed: true }),
    handler: async (request, reply) => {
      const input = await validate(laravelInput(request.body), LOGIN_RULES);
      const result = await api.signIn.withPassword({
        tenant: request.tenant,
        email: String(input.email),
        password: String(input.password),
        session: { kind: 'cookie', remember: truthy(input.remember) },
        context: sessionContext(request),
      });
      if ('mfaChallenge' in result) return { success: true, data: { two_factor: true, challenge: result.mfaChallenge } };
      setSessionCookie(cookieName, request, reply, result.cookie.session, result.cookie.secret);
      return signedInAnswer(result);
    },
  });

/** POST /v1/auth/two-factor-challenge: finishes a login that answered `two_factor: true`. */
export const twoFactorChallenge = ({ api, cookieName }: PixelmoverDeps) =>
  endpoint({
    schema: {
      tags: ['pixelmover'],
      summary: 'auth.two-factor-challenge',
      description: 'Finishes a login that answered `two_factor: true`, with a TOTP `code` or a `recovery_code`.',
      body: rulesSchema(TWO_FACTOR_RULES, { title: 'TwoFactorChallengeRequest' }),
      response: { 200: LoginResponse, ...errorResponses },
    },
    config: limits('mfa'),
    handler: async (request, reply) => {
      const input = await validate(laravelInput(request.body), TWO_FACTOR_RULES);
      const code = typeof input.code === 'string' ? input.code : typeof input.recovery_code === 'string' ? input.recovery_code : '';
      const result = await api.signIn.withMfaCode({
        challenge: String(input.challenge),
        code,
        tenant: request.tenant,
        session: { kind: 'cookie', remember: truthy(input.remember) },
        context: sessionContext(request),
      });
      setSessionCookie(cookieName, request, reply, result.cookie.session, result.cookie.secret);
      return signedInAnswer(result);
    },
  });
