import cookie from '@fastify/cookie';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { useProblemRenderer } from '../../http/error-mapping.ts';
import type { ContractOptions } from '../index.ts';
import { registerApiKeyRoutes } from './api-keys.ts';
import { registerAuthRoutes } from './auth.ts';
import { useLaravelBodies } from './body.ts';
import { renderPixelmoverProblem } from './errors.ts';
import { registerPasswordRoutes } from './password.ts';
import { registerTwoFactorRoutes } from './two-factor.ts';

/**
 * PixelMover's public API (Laravel) under /v1: session cookie, API keys and bearer tokens,
 * Laravel's validation rules and messages, and Laravel's JSON error bodies.
 */
export const pixelmoverContract: FastifyPluginAsync<ContractOptions> = async (app, { core }) => {
  await app.register(
    async (scope: FastifyInstance) => {
      useProblemRenderer(scope, renderPixelmoverProblem);
      // Laravel's rules (validation.ts) judge request bodies; the schemas only document them.
      scope.setValidatorCompiler(() => () => true);
      useLaravelBodies(scope);
      await scope.register(cookie);
      // Laravel tells an unknown route (404) from a known one with another method (405).
      const routes: Array<{ method: string; path: RegExp }> = [];
      scope.addHook('onRoute', (route) => {
        const path = new RegExp(`^${route.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z_]+/g, '[^/]+')}/?$`);
        for (const method of [route.method].flat()) routes.push({ method, path });
      });
      scope.setNotFoundHandler((request, reply) => {
        const path = (request.url.split('?')[0] ?? '').replace(/^\/+|\/+$/g, '');
        const allowed = [...new Set(routes.filter((route) => route.path.test(`/${path}`)).map((route) => route.method))];
        if (allowed.length === 0) return reply.code(404).send({ message: `The route ${path} could not be found.` });
        return reply
          .code(405)
          .send({ message: `The ${request.method} method is not supported for route ${path}. Supported methods: ${allowed.join(', ')}.` });
      });
      registerAuthRoutes(scope, core);
      registerApiKeyRoutes(scope, core);
      registerPasswordRoutes(scope, core);
      registerTwoFactorRoutes(scope, core);
    },
    { prefix: '/v1' },
  );
};
