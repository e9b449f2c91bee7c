import { Readable } from 'node:stream';
import { ErrorCode, GatehouseError } from '../../core/errors.ts';
import { IMPORT_FORMATS, type ImportFormat } from '../../core/import/types.ts';
import { isUuid } from '../../core/projects.ts';
import type { GatehouseApi } from '../../core/use-cases/index.ts';
import { limits } from '../route-limits.ts';
import { endpoint } from '../routes.ts';
import { actorOf, text } from './operator.ts';
import { renderConsole } from './render.ts';

async function formData(api: GatehouseApi) {
  const projects = (await api.admin.listProjects()).filter((project) => project.kind !== 'system');
  return {
    projects: projects.map((project) => ({ id: project.id, name: project.name, isDefault: project.is_default })),
    formats: IMPORT_FORMATS,
  };
}

/** GET /console/import: the upload form (a user export in one of the migration formats). */
export const importPage = (api: GatehouseApi) =>
  endpoint({
    schema: { hide: true },
    handler: async (request, reply) => {
      actorOf(request);
      return renderConsole(reply, request, 'import', { title: 'Import users', ...(await formData(api)) });
    },
  });

/**
 * POST /console/import (multipart): runs the same import as `gatehouse import` and the admin API,
 * and shows its report with the failed lines. Uploads are limited (index.ts); larger exports go
 * through the CLI or the streaming admin route.
 */
export const importUpload = (api: GatehouseApi) =>
  endpoint({
    schema: { hide: true },
    config: limits('none'),
    handler: async (request, reply) => {
      const actor = actorOf(request);
      const body = (request.body ?? {}) as Record<string, unknown>;
      const projectId = text(body, 'project');
      const format = text(body, 'format') as ImportFormat;
      const file = body.file;
      if (!isUuid(projectId)) throw new GatehouseError(ErrorCode.Validation, 'Choose a project.');
      if (!IMPORT_FORMATS.includes(format)) throw new GatehouseError(ErrorCode.Validation, 'Choose one of the import formats.');
      if (!Buffer.isBuffer(file) || file.length === 0) throw new GatehouseError(ErrorCode.Validation, 'Choose the export file to upload.');
      const report = await api.migration.importUsers(Readable.from([file]), {
        projectId,
        format,
        dryRun: text(body, 'dryRun') === 'on',
        sendReset: text(body, 'sendReset') === 'on',
        via: 'admin',
        remoteAddress: request.ip,
        actor,
      });
      return renderConsole(reply, request, 'import', { title: 'Import report', ...(await formData(api)), report, projectId, format });
    },
  });
