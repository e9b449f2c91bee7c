import { createReadStream, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ErrorCode, GatehouseError } from '../../core/errors.ts';
import type { Core } from '../../core/index.ts';
import { backupEmbedded, backupTempDir, BackupError, cannotBackUp } from '../../db/backup.ts';
import { AdminErrorSchema } from './schemas.ts';

const SealedCountsSchema = Type.Object({ signingKeys: Type.Integer(), mfaSecrets: Type.Integer() });

/** POST /admin/backup (the embedded database as a download) and POST /admin/secrets/rotate. */
export function registerOperationsRoutes(app: FastifyInstance, core: Core): void {
  app.post(
    '/admin/backup',
    {
      schema: {
        tags: ['admin'],
        security: [{ adminToken: [] }],
        summary: 'Online backup of the embedded database, answered as a .tar.gz download',
        description:
          'A consistent snapshot taken while the server keeps serving: restore it with `gatehouse restore FILE --data-dir DIR`. ' +
          'On PostgreSQL this answers 409: use pg_dump (docs/operations-backup.md).',
        response: { 401: AdminErrorSchema, 409: AdminErrorSchema },
      },
    },
    async (request, reply) => {
      const why = cannotBackUp(core.database);
      if (why !== undefined) throw new GatehouseError(ErrorCode.Conflict, why);
      const dir = backupTempDir(core.config.dataDir);
      const file = join(dir, 'backup.tar.gz');
      try {
        const { manifest, bytes } = await backupEmbedded(core.database, file);
        core.events.emit({ action: 'admin.backup', outcome: 'success', remoteAddress: request.ip, detail: { bytes } });
        const stream = createReadStream(file);
        stream.once('close', () => rmSync(dir, { recursive: true, force: true }));
        const stamp = manifest.createdAt.replace(/[:.]/g, '-');
        return reply
          .header('content-type', 'application/gzip')
          .header('content-length', String(bytes))
          .header('content-disposition', `attachment; filename="gatehouse-backup-${stamp}.tar.gz"`)
          .header('x-gatehouse-backup-created-at', manifest.createdAt)
          .send(stream);
      } catch (error) {
        rmSync(dir, { recursive: true, force: true });
        if (error instanceof BackupError) throw new GatehouseError(ErrorCode.Conflict, error.message);
        throw error;
      }
    },
  );

  app.post(
    '/admin/secrets/rotate',
    {
      schema: {
        tags: ['admin'],
        security: [{ adminToken: [] }],
        summary: 'Re-encrypt every stored secret under GATEHOUSE_SECRET_KEY',
        description:
          'Private signing keys and MFA secrets sealed with a key of GATEHOUSE_SECRET_KEY_PREVIOUS (or the key kept in the database) are ' +
          're-encrypted under GATEHOUSE_SECRET_KEY, and the key kept in the database is deleted. Safe while other instances serve.',
        response: {
          200: Type.Object({ keyId: Type.String(), resealed: SealedCountsSchema, storedKeyDeleted: Type.Boolean() }),
          401: AdminErrorSchema,
          409: AdminErrorSchema,
        },
      },
    },
    async (request) => {
      const rotated = await core.secrets.rotate();
      core.events.emit({ action: 'admin.secrets.rotate', outcome: 'success', remoteAddress: request.ip, detail: { keyId: rotated.keyId, ...rotated.resealed } });
      return rotated;
    },
  );
}
