import type { FastifyPluginAsync } from 'fastify';
import { useProblemRenderer } from '../../http/error-mapping.ts';
import type { ContractOptions } from '../index.ts';
import { renderOvokProblem } from './errors.ts';
import { registerMeRoute } from './me.ts';
import { registerMfaRoutes } from './mfa.ts';
import { registerPasswordRoutes } from './password.ts';
import { registerRefreshAndDeleteRoutes } from './refresh-delete.ts';
import { registerRegisterLoginRoutes } from './register-login.ts';
import { registerSessionRoutes } from './sessions.ts';

/** Ovok's auth API (a NestJS front of Medplum): camelCase JSON, FHIR OperationOutcome errors. */
export const ovokContract: FastifyPluginAsync<ContractOptions> = async (app, { core }) => {
  useProblemRenderer(app, (problem, request) => renderOvokProblem(problem, request.id));
  registerRegisterLoginRoutes(app, core);
  registerRefreshAndDeleteRoutes(app, core);
  registerMeRoute(app, core);
  registerSessionRoutes(app, core);
  registerPasswordRoutes(app, core);
  registerMfaRoutes(app, core);
};
