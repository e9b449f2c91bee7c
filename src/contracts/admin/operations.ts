import type { ReadStream } from 'node:fs';
import { Type } from 'typebox';
import type { GatehouseApi } from '../../core/use-cases/index.ts';
import { limits } from '../../http/route-limits.ts';
import { endpoint } from '../../http/routes.ts';
import { actorOf } from './guard.ts';
import { AdminErrorSchema } from './schemas.ts';

/** POST /admin/backup: the embedded database as a .tar.gz download (docs/operations-backup.md). */
export const backup = (api: GatehouseApi) =>
  endpoint({
    schema: {
      tags: ['admin'],
      security: [{ adminToken: [] }],
      summary: 'Online backup of the embedded database, answered as a .tar.gz download',
      description:
        'A consistent snapshot taken while the server keeps serving: restore it with `gatehouse restore FILE --data-dir DIR`. ' +
        'On PostgreSQL, and with the in-memory database, this answers 409: back PostgreSQL up with pg_dump (docs/operations-backup.md).',
      response: {
        // A stream is sent as it is: this schema only documents the download.
        200: Type.Unsafe<ReadStream>({
          type: 'string',
          format: 'binary',
          contentMediaType: 'application/gzip',
          description: 'The archive',
        }),
        401: AdminErrorSchema,
        403: AdminErrorSchema,
        409: AdminErrorSchema,
      },
    },
    config: limits('none'),
    handler: async (request, reply) => {
      const { manifest, bytes, archive } = await api.operations.backup(actorOf(request));
      const stamp = manifest.createdAt.replace(/[:.]/g, '-');
      return reply
        .header('content-type', 'application/gzip')
        .header('content-length', String(bytes))
        .header('content-disposition', `attachment; filename="gatehouse-backup-${stamp}.tar.gz"`)
        .header('x-gatehouse-backup-created-at', manifest.createdAt)
        .send(archive);
    },
  });

const SealedCountsSchema = Type.Object({ signingKeys: Type.Integer(), mfaSecrets: Type.Integer() });

/** POST /admin/secrets/rotate: every stored secret re-encrypted under GATEHOUSE_SECRET_KEY. */
export const rotateSecrets = (api: GatehouseApi) =>
  endpoint({
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
        403: AdminErrorSchema,
        409: AdminErrorSchema,
      },
    },
    config: limits('none'),
    handler: async (request) => api.operations.rotateSecrets(actorOf(request)),
  });
