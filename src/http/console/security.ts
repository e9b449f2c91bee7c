import { Type } from 'typebox';
import { auditEntryView } from '../../contracts/admin/audit.ts';
import { isUuid } from '../../core/projects.ts';
import type { GatehouseApi } from '../../core/use-cases/index.ts';
import { limits } from '../route-limits.ts';
import { endpoint } from '../routes.ts';
import { flashConsole } from './notices.ts';
import { actorOf } from './operator.ts';
import { renderConsole } from './render.ts';

const PAGE_SIZE = 50;
const when = (value: string | undefined): Date | undefined => {
  if (value === undefined || value === '') return undefined;
  const date = new Date(value.length === 16 ? `${value}:00Z` : value);
  return Number.isNaN(date.getTime()) ? undefined : date;
};

/**
 * GET /console/security: signing keys (rotate), the audit log with the filters of GET /admin/audit
 * (`verify=1` checks the hash chain and shows its head), the development outbox and failed mail.
 */
export const securityPage = (api: GatehouseApi) =>
  endpoint({
    schema: {
      hide: true,
      querystring: Type.Object({
        action: Type.Optional(Type.String({ maxLength: 100 })),
        actor: Type.Optional(Type.String({ maxLength: 120 })),
        user: Type.Optional(Type.String({ maxLength: 100 })),
        project: Type.Optional(Type.String({ maxLength: 100 })),
        since: Type.Optional(Type.String({ maxLength: 40 })),
        until: Type.Optional(Type.String({ maxLength: 40 })),
        before: Type.Optional(Type.String({ pattern: '^[0-9]{0,18}$' })),
        verify: Type.Optional(Type.String({ maxLength: 1 })),
      }),
    },
    handler: async (request, reply) => {
      const actor = actorOf(request);
      const q = request.query;
      const filter = {
        action: q.action?.trim() || undefined,
        actor: q.actor?.trim() || undefined,
        userId: isUuid(q.user ?? '') ? q.user : undefined,
        projectId: isUuid(q.project ?? '') ? q.project : undefined,
        since: when(q.since),
        until: when(q.until),
        before: q.before ? Number(q.before) : undefined,
      };
      const [keys, rows, outbox, failedMail, verify] = await Promise.all([
        api.console.overview.signingKeys(actor),
        api.admin.auditPage({ ...filter, limit: PAGE_SIZE + 1 }),
        api.admin.outbox({ limit: 20 }),
        api.console.overview.failedMail(actor, 20),
        q.verify === '1' ? api.admin.verifyAudit() : Promise.resolve(undefined),
      ]);
      const page = rows.slice(0, PAGE_SIZE);
      const last = page.at(-1);
      const kept = new URLSearchParams(
        Object.entries({ action: q.action, actor: q.actor, user: q.user, project: q.project, since: q.since, until: q.until }).filter(
          (entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '',
        ),
      );
      if (rows.length > PAGE_SIZE && last !== undefined) kept.set('before', String(last.id));
      return renderConsole(reply, request, 'security', {
        title: 'Security',
        keys,
        audit: page.map(auditEntryView),
        filters: {
          action: q.action ?? '',
          actor: q.actor ?? '',
          user: q.user ?? '',
          project: q.project ?? '',
          since: q.since ?? '',
          until: q.until ?? '',
        },
        mine: `operator:${actor.operatorId}`,
        nextHref: rows.length > PAGE_SIZE ? `/console/security?${kept.toString()}#audit` : undefined,
        verify,
        outbox,
        failedMail,
      });
    },
  });

/** POST /console/security/rotate-keys: new tokens are signed with a new key; the old ones keep verifying until their tokens expire. */
export const rotateKeys = (api: GatehouseApi) =>
  endpoint({
    schema: { hide: true },
    config: limits('none'),
    handler: async (request, reply) => {
      await api.admin.rotateKeys(actorOf(request));
      flashConsole(request, reply, 'success', 'keysRotated');
      return reply.code(303).header('location', '/console/security#keys').send();
    },
  });
