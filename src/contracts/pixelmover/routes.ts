import cookie from '@fastify/cookie';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { useProblemRenderer } from '../../http/error-mapping.ts';
import { useRouteNotFound } from '../../http/route-not-found.ts';
import { mount, type RouteTable } from '../../http/routes.ts';
import { useTenant } from '../../http/tenant.ts';
import type { ContractOptions } from '../contract.ts';
import { createApiKey, deleteApiKey, listApiKeys, makePrimaryApiKey } from './api-keys.ts';
import { verificationNotification, verifyEmail } from './email.ts';
import { renderPixelmoverProblem } from './errors.ts';
import { useLaravelBodies } from './framework/body.ts';
import type { PixelmoverDeps } from './guard.ts';
import { login, twoFactorChallenge } from './login.ts';
import { logout } from './logout.ts';
import { me } from './me.ts';
import { forgotPassword, resetPassword, updatePassword } from './password.ts';
import { register } from './register.ts';
import {
  confirmTwoFactor,
  disableTwoFactor,
  enableTwoFactor,
  twoFactorQrCode,
  twoFactorRecoveryCodes,
  twoFactorSecretKey,
} from './two-factor.ts';

/** Every URL of PixelMover's API (under /v1), and the file that answers it. */
export const pixelmoverRoutes = (deps: PixelmoverDeps): RouteTable => [
  ['POST', '/auth/register', register(deps)], // register.ts
  ['POST', '/auth/login', login(deps)], // login.ts
  ['POST', '/auth/two-factor-challenge', twoFactorChallenge(deps)], // login.ts (the second step of a login)
  ['POST', '/auth/logout', logout(deps)], // logout.ts
  ['GET', '/auth/me', me(deps)], // me.ts
  ['POST', '/auth/forgot-password', forgotPassword(deps)], // password.ts
  ['POST', '/auth/reset-password', resetPassword(deps)], // password.ts
  ['PUT', '/user/password', updatePassword(deps)], // password.ts
  ['POST', '/email/verification-notification', verificationNotification(deps)], // email.ts
  ['GET', '/email/verify/:id/:hash', verifyEmail(deps)], // email.ts
  ['GET', '/api-keys', listApiKeys(deps)], // api-keys.ts
  ['POST', '/api-keys', createApiKey(deps)], // api-keys.ts
  ['DELETE', '/api-keys/:id', deleteApiKey(deps)], // api-keys.ts
  ['POST', '/api-keys/:id/primary', makePrimaryApiKey(deps)], // api-keys.ts
  ['POST', '/user/two-factor-authentication', enableTwoFactor(deps)], // two-factor.ts
  ['GET', '/user/two-factor-qr-code', twoFactorQrCode(deps)], // two-factor.ts
  ['GET', '/user/two-factor-secret-key', twoFactorSecretKey(deps)], // two-factor.ts
  ['POST', '/user/confirmed-two-factor-authentication', confirmTwoFactor(deps)], // two-factor.ts
  ['POST', '/user/two-factor-recovery-codes', twoFactorRecoveryCodes(deps)], // two-factor.ts
  ['DELETE', '/user/two-factor-authentication', disableTwoFactor(deps)], // two-factor.ts
];

/**
 * PixelMover's public API (Laravel) under /v1: session cookie, API keys and bearer tokens,
 * Laravel's validation rules and messages, and Laravel's JSON error bodies.
 */
export const pixelmoverContract: FastifyPluginAsync<ContractOptions> = async (app, { api, config }) => {
  await app.register(
    async (scope: FastifyInstance) => {
      useProblemRenderer(scope, renderPixelmoverProblem);
      // Laravel's rules (framework/validation.ts) judge request bodies; the schemas only document them.
      scope.setValidatorCompiler(() => () => true);
      useLaravelBodies(scope);
      await scope.register(cookie);
      useTenant(scope, { of: () => api.tenants.served('pixelmover'), bindsCredentials: true });
      useRouteNotFound(scope, (request, reply, allowed) => {
        const path = (request.url.split('?')[0] ?? '').replace(/^\/+|\/+$/g, '');
        if (allowed.length === 0) return reply.code(404).send({ message: `The route ${path} could not be found.` });
        return reply
          .code(405)
          .send({ message: `The ${request.method} method is not supported for route ${path}. Supported methods: ${allowed.join(', ')}.` });
      });
      mount(scope, pixelmoverRoutes({ api, cookieName: config.sessions.cookieName }));
    },
    { prefix: '/v1' },
  );
};
