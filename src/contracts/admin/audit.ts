import { Type, type Static } from 'typebox';
import type { AuditRow } from '../../core/audit.ts';
import type { GatehouseApi } from '../../core/use-cases/index.ts';
import { endpoint } from '../../http/routes.ts';
import { AdminErrorSchema } from './schemas.ts';

const AuditQuerySchema = Type.Object({
  projectId: Type.Optional(Type.String({ maxLength: 100 })),
  userId: Type.Optional(Type.String({ maxLength: 100 })),
  action: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Exact action, or a prefix ending in * (admin.*)' })),
  actor: Type.Optional(
    Type.String({ minLength: 1, maxLength: 120, description: 'Who made an administrative change: admin token, cli, operator:<id>' }),
  ),
  since: Type.Optional(Type.String({ format: 'date-time' })),
  until: Type.Optional(Type.String({ format: 'date-time' })),
  limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$', description: '1–500, default 50' })),
  cursor: Type.Optional(Type.String({ pattern: '^[0-9]{1,18}$', description: 'nextCursor of the previous page' })),
});

export const AuditEntrySchema = Type.Object({
  id: Type.String(),
  time: Type.String({ format: 'date-time' }),
  action: Type.String(),
  outcome: Type.String(),
  projectId: Type.Union([Type.String(), Type.Null()]),
  userId: Type.Union([Type.String(), Type.Null()]),
  clientId: Type.Union([Type.String(), Type.Null()]),
  sessionId: Type.Union([Type.String(), Type.Null()]),
  remoteAddress: Type.Union([Type.String(), Type.Null()]),
  userAgent: Type.Union([Type.String(), Type.Null()]),
  detail: Type.Record(Type.String(), Type.Unknown()),
  prevHash: Type.String(),
  hash: Type.String(),
});

const AuditPageSchema = Type.Object({
  items: Type.Array(AuditEntrySchema),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

export function auditEntryView(row: AuditRow): Static<typeof AuditEntrySchema> {
  return {
    id: String(row.id),
    time: row.created_at.toISOString(),
    action: row.action,
    outcome: row.outcome,
    projectId: row.project_id,
    userId: row.user_id,
    clientId: row.client_id,
    sessionId: row.session_id,
    remoteAddress: row.remote_address,
    userAgent: row.user_agent,
    detail: row.detail,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** GET /admin/audit: the audit log, newest first, filtered, paged by an opaque cursor. */
export const auditLog = (api: GatehouseApi) =>
  endpoint({
    schema: {
      tags: ['admin'],
      security: [{ adminToken: [] }],
      summary: 'Page through the audit log (newest first)',
      querystring: AuditQuerySchema,
      response: { 200: AuditPageSchema, 401: AdminErrorSchema, 422: AdminErrorSchema },
    },
    handler: async (request) => {
      const query = request.query;
      const limit = Math.min(500, Math.max(1, Number(query.limit ?? 50)));
      const rows = await api.admin.auditPage({
        projectId: query.projectId,
        userId: query.userId,
        action: query.action,
        actor: query.actor,
        since: query.since === undefined ? undefined : new Date(query.since),
        until: query.until === undefined ? undefined : new Date(query.until),
        before: query.cursor === undefined ? undefined : Number(query.cursor),
        limit: limit + 1,
      });
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return { items: page.map(auditEntryView), nextCursor: rows.length > limit && last !== undefined ? String(last.id) : null };
    },
  });
