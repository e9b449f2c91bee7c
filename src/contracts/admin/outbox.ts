import { Type, type Static } from 'typebox';
import type { GatehouseApi } from '../../core/use-cases/index.ts';
import { endpoint } from '../../http/routes.ts';
import type { OutboxRow } from '../../core/mail/outbox.ts';
import { AdminErrorSchema } from './schemas.ts';

export const OutboxEntrySchema = Type.Object({
  id: Type.String(),
  projectId: Type.Union([Type.String(), Type.Null()]),
  kind: Type.String(),
  to: Type.String(),
  subject: Type.String(),
  text: Type.String(),
  html: Type.Union([Type.String(), Type.Null()]),
  status: Type.String({ description: 'outbox (development, not sent), pending, sending, sent, failed' }),
  attempts: Type.Integer(),
  nextAttemptAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  sentAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

export function outboxEntryView(row: OutboxRow): Static<typeof OutboxEntrySchema> {
  return {
    id: row.id,
    projectId: row.project_id,
    kind: row.kind,
    to: row.to_address,
    subject: row.subject,
    text: row.text_body,
    html: row.html_body,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.status === 'pending' || row.status === 'sending' ? row.next_attempt_at.toISOString() : null,
    lastError: row.last_error,
    createdAt: row.created_at.toISOString(),
    sentAt: row.sent_at?.toISOString() ?? null,
  };
}

/** GET /admin/outbox: the development outbox (and, with SMTP, the delivery queue), newest first. */
export const outbox = (api: GatehouseApi) =>
  endpoint({
    schema: {
      tags: ['admin'],
      security: [{ adminToken: [] }],
      summary: 'Emails written by the server, newest first',
      description:
        'Without SMTP, every email stays here (status `outbox`). With SMTP this is the delivery queue; bodies of sent emails are erased (they may hold secrets).',
      querystring: Type.Object({
        to: Type.Optional(Type.String({ minLength: 1, maxLength: 320, description: 'Recipient (any case)' })),
        limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$', description: '1–500, default 50' })),
      }),
      response: {
        200: Type.Object({ mode: Type.String({ description: 'smtp or outbox' }), items: Type.Array(OutboxEntrySchema) }),
        401: AdminErrorSchema,
        422: AdminErrorSchema,
      },
    },
    handler: async (request) => {
      const limit = Math.min(500, Math.max(1, Number(request.query.limit ?? 50)));
      const { mode, items } = await api.admin.outbox({ to: request.query.to, limit });
      return { mode, items: items.map(outboxEntryView) };
    },
  });
