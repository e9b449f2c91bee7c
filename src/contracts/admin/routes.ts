import type { FastifyPluginAsync } from 'fastify';
import type { GatehouseApi } from '../../core/use-cases/index.ts';
import { useProblemRenderer } from '../../http/error-mapping.ts';
import { mount, type RouteTable } from '../../http/routes.ts';
import type { ContractOptions } from '../contract.ts';
import { auditLog } from './audit.ts';
import { createClient, listClients, rotateClientSecret } from './clients.ts';
import { renderAdminProblem } from './errors.ts';
import { requireAdmin } from './guard.ts';
import { acceptStreamedBodies, exportUsers, importUsers } from './import.ts';
import { rotateKeys } from './keys.ts';
import { backup, rotateSecrets } from './operations.ts';
import { outbox } from './outbox.ts';
import { createOperator, listOperators } from './operators.ts';
import { createProject, getProject, listProjects, updateProject } from './projects.ts';
import { deleteUser, findUsers, showUser, updateUser, userAction } from './users.ts';

/** Every URL of the admin API, and the file that answers it. */
export const adminRoutes = (api: GatehouseApi): RouteTable => [
  ['POST', '/admin/projects', createProject(api)], // projects.ts
  ['GET', '/admin/projects', listProjects(api)], // projects.ts
  ['GET', '/admin/projects/:projectId', getProject(api)], // projects.ts
  ['PATCH', '/admin/projects/:projectId', updateProject(api)], // projects.ts
  ['POST', '/admin/projects/:projectId/clients', createClient(api)], // clients.ts
  ['GET', '/admin/projects/:projectId/clients', listClients(api)], // clients.ts
  ['POST', '/admin/projects/:projectId/clients/:clientId/rotate-secret', rotateClientSecret(api)], // clients.ts
  ['POST', '/admin/projects/:projectId/import', importUsers(api)], // import.ts
  ['GET', '/admin/projects/:projectId/export', exportUsers(api)], // import.ts
  ['POST', '/admin/keys/rotate', rotateKeys(api)], // keys.ts
  ['POST', '/admin/secrets/rotate', rotateSecrets(api)], // operations.ts
  ['POST', '/admin/backup', backup(api)], // operations.ts
  ['GET', '/admin/audit', auditLog(api)], // audit.ts
  ['GET', '/admin/outbox', outbox(api)], // outbox.ts
  ['GET', '/admin/users', findUsers(api)], // users.ts
  ['GET', '/admin/users/:userId', showUser(api)], // users.ts
  ['PATCH', '/admin/users/:userId', updateUser(api)], // users.ts
  ['DELETE', '/admin/users/:userId', deleteUser(api)], // users.ts
  ['POST', '/admin/users/:userId/revoke-sessions', userAction(api, 'revoke-sessions')], // users.ts
  ['POST', '/admin/users/:userId/unlock', userAction(api, 'unlock')], // users.ts
  ['POST', '/admin/users/:userId/send-password-reset', userAction(api, 'send-password-reset')], // users.ts
  ['POST', '/admin/users/:userId/reset-mfa', userAction(api, 'reset-mfa')], // users.ts
  ['POST', '/admin/operators', createOperator(api)], // operators.ts
  ['GET', '/admin/operators', listOperators(api)], // operators.ts
];

/** Gatehouse's own administration API; registered only when GATEHOUSE_ADMIN_TOKEN is set. */
export const adminContract: FastifyPluginAsync<ContractOptions> = async (app, { api, config }) => {
  const adminToken = config.adminToken;
  if (adminToken === undefined) return;
  useProblemRenderer(app, renderAdminProblem);
  app.addHook('onRequest', requireAdmin(adminToken, api));
  acceptStreamedBodies(app);
  mount(app, adminRoutes(api));
};
