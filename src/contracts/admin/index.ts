import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { useProblemRenderer } from '../../http/error-mapping.ts';
import type { ContractOptions } from '../index.ts';
import { registerAuditRoutes } from './audit.ts';
import { renderAdminProblem } from './errors.ts';
import { registerImportRoutes } from './import.ts';
import { requireAdmin } from './guard.ts';
import { registerOutboxRoutes } from './outbox.ts';
import { registerProjectRoutes } from './projects.ts';
import { AdminErrorSchema } from './schemas.ts';

/** Gatehouse's own administration API; registered only when GATEHOUSE_ADMIN_TOKEN is set. */
export const adminContract: FastifyPluginAsync<ContractOptions> = async (app, { core }) => {
  const adminToken = core.config.adminToken;
  if (adminToken === undefined) return;
  useProblemRenderer(app, renderAdminProblem);
  app.addHook('onRequest', requireAdmin(adminToken));

  registerProjectRoutes(app, core);
  registerAuditRoutes(app, core);
  registerOutboxRoutes(app, core);
  registerImportRoutes(app, core);

  app.post(
    '/admin/keys/rotate',
    {
      schema: {
        tags: ['admin'],
        security: [{ adminToken: [] }],
        summary: 'Rotate the token signing key; old keys verify until their tokens expire',
        response: { 200: Type.Object({ kid: Type.String(), retired: Type.Array(Type.String()) }), 401: AdminErrorSchema },
      },
    },
    async (request) => {
      const rotated = await core.keys.rotate();
      core.events.emit({ action: 'admin.keys.rotate', outcome: 'success', remoteAddress: request.ip, detail: { kid: rotated.kid } });
      return rotated;
    },
  );
};
