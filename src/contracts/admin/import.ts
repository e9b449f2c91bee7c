import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { Readable } from 'node:stream';
import { Type } from 'typebox';
import { ErrorCode, GatehouseError } from '../../core/errors.ts';
import { exportStream } from '../../core/import/export.ts';
import { importApiKeys, importUsers } from '../../core/import/importer.ts';
import type { ImportFormat } from '../../core/import/types.ts';
import type { Core } from '../../core/index.ts';
import { AdminErrorSchema, ProjectParamsSchema } from './schemas.ts';

/** Bodies read as a stream (never buffered whole: an export may be gigabytes). */
const STREAMED_TYPES = ['application/x-ndjson', 'application/jsonl', 'application/json-lines', 'text/csv', 'text/plain', 'application/octet-stream'];

const Flag = Type.Optional(Type.String({ pattern: '^(true|false|1|0)$', description: 'true or false' }));

const ImportQuerySchema = Type.Object(
  {
    format: Type.Optional(
      Type.String({
        pattern: '^(gatehouse|laravel|fastapi|medplum|laravel-api-keys)$',
        description: 'gatehouse (default, canonical JSON Lines), laravel, fastapi, medplum, or laravel-api-keys: the keys CSV of a Laravel import, for users imported before.',
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

/** POST /admin/projects/{id}/import and GET /admin/projects/{id}/export (docs/migrating.md). */
export function registerImportRoutes(scope: FastifyInstance, core: Core): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  app.addContentTypeParser(STREAMED_TYPES, (_request, payload, done) => done(null, payload));

  app.post(
    '/admin/projects/:projectId/import',
    {
      schema: {
        tags: ['admin'],
        security: [{ adminToken: [] }],
        summary: 'Import users into a project',
        description:
          'The body is the export, streamed: `application/x-ndjson` (gatehouse, fastapi, medplum) or `text/csv` (laravel). Answers when done. ' +
          'The same import as `gatehouse import`, for a server that holds its embedded database. On the embedded database, dryRun and atomic imports hold the database for their duration.',
        params: ProjectParamsSchema,
        querystring: ImportQuerySchema,
        response: { 200: ImportReportSchema, 401: AdminErrorSchema, 404: AdminErrorSchema, 415: AdminErrorSchema, 422: AdminErrorSchema },
      },
    },
    async (request) => {
      const body = request.body as unknown;
      if (body === null || typeof body !== 'object' || typeof (body as Readable).pipe !== 'function') {
        throw new GatehouseError(ErrorCode.Validation, `Send the export as the body, with Content-Type ${STREAMED_TYPES.slice(0, 1).join('')} or text/csv`, {
          fields: [{ field: 'body', message: 'expected a streamed export' }],
        });
      }
      const { format, dryRun, atomic, sendReset } = request.query;
      const context = { projectId: request.params.projectId, via: 'admin' as const, remoteAddress: request.ip };
      if (format === 'laravel-api-keys') return importApiKeys(core, body as Readable, { ...context, dryRun: on(dryRun) });
      return importUsers(core, body as Readable, {
        ...context,
        format: (format ?? 'gatehouse') as ImportFormat,
        dryRun: on(dryRun),
        atomic: on(atomic),
        sendReset: on(sendReset),
      });
    },
  );

  app.get(
    '/admin/projects/:projectId/export',
    {
      schema: {
        tags: ['admin'],
        security: [{ adminToken: [] }],
        summary: "A project's users as canonical JSON Lines (the import format), streamed",
        params: ProjectParamsSchema,
        querystring: Type.Object({ includeTotp: Flag }, { additionalProperties: false }),
        response: { 401: AdminErrorSchema, 404: AdminErrorSchema },
      },
    },
    async (request, reply) => {
      const project = await core.projects.get(request.params.projectId);
      core.events.emit({ action: 'admin.export', outcome: 'success', projectId: project.id, remoteAddress: request.ip, detail: { includeTotp: on(request.query.includeTotp) } });
      // A stream is sent as is (no response schema applies to it).
      return reply.type('application/x-ndjson').send(exportStream(core, { projectId: project.id, includeTotp: on(request.query.includeTotp) }) as never);
    },
  );
}
