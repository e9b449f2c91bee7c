import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { useProblemRenderer } from '../../http/error-mapping.ts';
import type { ContractOptions } from '../index.ts';
import { registerAuthRoutes } from './auth.ts';
import { useFastApiBodies } from './body.ts';
import { registerDirectoryRoutes } from './directory.ts';
import { renderJinuaiProblem } from './errors.ts';
import { registerHealthRoutes } from './health.ts';
import { registerMfaRoutes } from './mfa.ts';
import { registerPasswordRoutes } from './password.ts';
import { registerUserRoutes } from './user.ts';
import { fastApiValidatorCompiler } from './validation.ts';

/**
 * JinuAI's auth API (FastAPI + SQLModel) under /api/v1: form or JSON bodies read and
 * validated as FastAPI and pydantic v2 do, and FastAPI's error bodies.
 */
export const jinuaiContract: FastifyPluginAsync<ContractOptions> = async (app, { core }) => {
  await app.register(
    async (scope: FastifyInstance) => {
      useProblemRenderer(scope, (problem) => renderJinuaiProblem(problem));
      scope.setValidatorCompiler(fastApiValidatorCompiler);
      await useFastApiBodies(scope, core.config.bodyLimit);
      // Starlette tells a known path with another method (405 + Allow) from an unknown path (404).
      const routes: Array<{ method: string; path: RegExp }> = [];
      scope.addHook('onRoute', (route) => {
        const path = new RegExp(`^${route.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z_]+/g, '[^/]+')}/?$`);
        for (const method of [route.method].flat()) routes.push({ method, path });
      });
      scope.setNotFoundHandler((request, reply) => {
        const path = request.url.split('?')[0] ?? '';
        const allowed = [...new Set(routes.filter((route) => route.path.test(path)).map((route) => route.method))];
        if (allowed.length === 0) return reply.code(404).send({ detail: 'Not Found' });
        return reply.code(405).header('allow', allowed.join(', ')).send({ detail: 'Method Not Allowed' });
      });
      registerAuthRoutes(scope, core);
      registerUserRoutes(scope, core);
      registerDirectoryRoutes(scope, core);
      registerHealthRoutes(scope, core);
      registerPasswordRoutes(scope, core);
      registerMfaRoutes(scope, core);
    },
    { prefix: '/api/v1' },
  );
};
