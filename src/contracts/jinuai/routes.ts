import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { GatehouseApi } from '../../core/use-cases/index.ts';
import { useProblemRenderer } from '../../http/error-mapping.ts';
import { useRouteNotFound } from '../../http/route-not-found.ts';
import { mount, type RouteTable } from '../../http/routes.ts';
import { useTenant } from '../../http/tenant.ts';
import type { ContractOptions } from '../contract.ts';
import { renderJinuaiProblem } from './errors.ts';
import { useFastApiBodies } from './framework/body.ts';
import { fastApiValidatorCompiler } from './framework/validation.ts';
import { liveness, readiness } from './health.ts';
import { login } from './login.ts';
import { mfaDisable, mfaEnable, mfaStatus, mfaVerify } from './mfa.ts';
import { recoverPassword, resetPassword, updatePassword } from './password.ts';
import { register } from './register.ts';
import { lookupUser, searchUsers } from './search.ts';
import { token } from './token.ts';
import { deleteUser, recoverUser, updateUser, whoami } from './user.ts';

/** Every URL of JinuAI's API (under /api/v1), and the file that answers it. */
export const jinuaiRoutes = (api: GatehouseApi): RouteTable => [
  ['POST', '/auth/register', register(api)], // register.ts
  ['POST', '/auth/login', login(api)], // login.ts
  ['POST', '/auth/token', token(api)], // token.ts
  ['POST', '/auth/mfa/verify', mfaVerify(api)], // mfa.ts (the second step of a login)
  ['GET', '/user/whoami', whoami(api)], // user.ts
  ['POST', '/user/update', updateUser(api)], // user.ts
  ['POST', '/user/delete', deleteUser(api)], // user.ts
  ['POST', '/user/recover', recoverUser(api)], // user.ts
  ['GET', '/user/search', searchUsers(api)], // search.ts
  ['GET', '/user/:account/lookup', lookupUser(api)], // search.ts
  ['POST', '/password-recovery/:email', recoverPassword(api)], // password.ts
  ['POST', '/reset-password/', resetPassword(api)], // password.ts
  ['PATCH', '/users/me/password', updatePassword(api)], // password.ts
  ['GET', '/users/me/mfa', mfaStatus(api)], // mfa.ts
  ['POST', '/users/me/mfa/enable', mfaEnable(api)], // mfa.ts
  ['POST', '/users/me/mfa/disable', mfaDisable(api)], // mfa.ts
  ['GET', '/health/liveness', liveness()], // health.ts
  ['GET', '/health/readiness', readiness(api)], // health.ts
];

/**
 * JinuAI's auth API (FastAPI + SQLModel) under /api/v1: form or JSON bodies read and
 * validated as FastAPI and pydantic v2 do, and FastAPI's error bodies.
 */
export const jinuaiContract: FastifyPluginAsync<ContractOptions> = async (app, { api, config }) => {
  await app.register(
    async (scope: FastifyInstance) => {
      useProblemRenderer(scope, (problem) => renderJinuaiProblem(problem));
      scope.setValidatorCompiler(fastApiValidatorCompiler);
      await useFastApiBodies(scope, config.bodyLimit);
      useTenant(scope, { of: () => api.tenants.served('jinuai'), bindsCredentials: true });
      // Starlette tells a known path with another method (405 + Allow) from an unknown path (404).
      useRouteNotFound(scope, (_request, reply, allowed) =>
        allowed.length === 0
          ? reply.code(404).send({ detail: 'Not Found' })
          : reply.code(405).header('allow', allowed.join(', ')).send({ detail: 'Method Not Allowed' }),
      );
      mount(scope, jinuaiRoutes(api));
    },
    { prefix: '/api/v1' },
  );
};
