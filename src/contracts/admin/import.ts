import type { FastifyInstance } from 'fastify';
import type { Readable } from 'node:stream';
import { Type } from 'typebox';
import { ErrorCode, GatehouseError } from '../../core/errors.ts';
import type { ImportFormat } from '../../core/import/types.ts';
import type { GatehouseApi } from '../../core/use-cases/index.ts';
import { limits } from '../../http/route-limits.ts';
import { endpoint } from '../../http/routes.ts';
import { AdminErrorSchema, ProjectParamsSchema } from './schemas.ts';

/** Bodies read as a stream (never buffered whole: an export may be gigabytes). */
const STREAMED_TYPES = [
  'application/x-ndjson',
  'application/jsonl',
  'application/json-lines',
  'text/csv',
  'text/plain',
  'application/octet-stream',
];

const Flag = Type.Optional(Type.String({ pattern: '^(true|false|1|0)$', description: 'true or false' }));

const ImportQuerySchema = Type.Object(
  {
    format: Type.Optional(
      Type.String({
        pattern: '^(gatehouse|laravel|fastapi|medplum|laravel-api-keys)$',
        description:
          'gatehouse (default, canonical JSON Lines), laravel, fastapi, medplum, or laravel-api-keys: the keys CSV of a Laravel import, for users imported before.',
      }),
    ),
    dryRun: Flag,
    atomic: Flag,
    sendReset: Flag,
  },
  { additionalProperties: false },
);

const FailedSchema = Type.Object({
  line: Type.Integer(),
  field: Type.String(),
  error: Type.String(),
  file: Type.Optional(Type.Literal('api-keys')),
});

export const ImportReportSchema = Type.Object({
  imported: Type.Integer(),
  skipped: Type.Integer({ description: 'Lines already imported by an earlier run' }),
  failed: Type.Array(FailedSchema, { description: 'The first 10,000 failed lines' }),
  failedCount: Type.Integer(),
  apiKeysImported: Type.Optional(Type.Integer()),
  dryRun: Type.Boolean(),
  atomic: Type.Boolean(),
  rolledBack: Type.Boolean(),
  durationMs: Type.Integer(),
});

const on = (flag: string | undefined): boolean => flag === 'true' || flag === '1';

/** The admin scope reads these bodies as streams (registered in routes.ts). */
export function acceptStreamedBodies(scope: FastifyInstance): void {
  scope.addContentTypeParser(STREAMED_TYPES, (_request, payload, done) => done(null, payload));
}

/** POST /admin/projects/{id}/import: the same import as `gatehouse import`, for a running server. */
export const importUsers = (api: GatehouseApi) =>
  endpoint({
    config: limits('none'),
    schema: {
      tags: ['admin'],
      security: [{ adminToken: [] }],
      summary: 'Import users into a project',
      description:
        'The body is the export, streamed: `application/x-ndjson` (gatehouse, fastapi, medplum) or `text/csv` (laravel, laravel-api-keys). Answers when done. ' +
        'The same import as `gatehouse import`, for a server that holds its embedded database. On the embedded database, dryRun and atomic imports hold the database for their duration.',
      params: ProjectParamsSchema,
      querystring: ImportQuerySchema,
      response: { 200: ImportReportSchema, 401: AdminErrorSchema, 404: AdminErrorSchema, 415: AdminErrorSchema, 422: AdminErrorSchema },
    },
    handler: async (request) => {
      const body = request.body as unknown;
      if (body === null || typeof body !== 'object' || typeof (body as Readable).pipe !== 'function') {
        throw new GatehouseError(ErrorCode.Validation, 'Send the export as the body, with Content-Type application/x-ndjson or text/csv', {
          fields: [{ field: 'body', message: 'expected a streamed export' }],
        });
      }
      const { format, dryRun, atomic, sendReset } = request.query;
      const context = { projectId: request.params.projectId, via: 'admin' as const, remoteAddress: request.ip };
      if (format === 'laravel-api-keys') return api.migration.importApiKeys(body as Readable, { ...context, dryRun: on(dryRun) });
      return api.migration.importUsers(body as Readable, {
        ...context,
        format: (format ?? 'gatehouse') as ImportFormat,
        dryRun: on(dryRun),
        atomic: on(atomic),
        sendReset: on(sendReset),
      });
    },
  });

/** GET /admin/projects/{id}/export: canonical JSON Lines, streamed. */
export const exportUsers = (api: GatehouseApi) =>
  endpoint({
    schema: {
      tags: ['admin'],
      security: [{ adminToken: [] }],
      summary: "A project's users as canonical JSON Lines (the import format), streamed",
      params: ProjectParamsSchema,
      querystring: Type.Object({ includeTotp: Flag }, { additionalProperties: false }),
      response: { 401: AdminErrorSchema, 404: AdminErrorSchema },
    },
    handler: async (request, reply) => {
      const stream = await api.migration.exportUsers({
        projectId: request.params.projectId,
        includeTotp: on(request.query.includeTotp),
        remoteAddress: request.ip,
      });
      // A stream is sent as is (no response schema applies to it).
      return reply.type('application/x-ndjson').send(stream as never);
    },
  });
