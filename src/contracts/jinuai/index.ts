import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { useProblemRenderer } from '../../http/error-mapping.ts';
import type { ContractOptions } from '../index.ts';
import { registerAuthRoutes } from './auth.ts';
import { useFastApiBodies } from './body.ts';
import { registerDirectoryRoutes } from './directory.ts';
import { renderJinuaiProblem } from './errors.ts';
import { registerHealthRoutes } from './health.ts';
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
      scope.setNotFoundHandler((_request, reply) => reply.code(404).send({ detail: 'Not Found' }));
      registerAuthRoutes(scope, core);
      registerUserRoutes(scope, core);
      registerDirectoryRoutes(scope, core);
      registerHealthRoutes(scope, core);
    },
    { prefix: '/api/v1' },
  );
};
