import { Type } from 'typebox';
import { userDetail, userSummary } from '../../contracts/admin/user-views.ts';
import { isUuid } from '../../core/projects.ts';
import type { GatehouseApi } from '../../core/use-cases/index.ts';
import { endpoint } from '../routes.ts';
import { actorOf } from './operator.ts';
import { renderConsole } from './render.ts';

const PAGE_SIZE = 50;

/** GET /console/users: search by email, account, name, number or id, across projects or in one, a page at a time. */
export const usersPage = (api: GatehouseApi) =>
  endpoint({
    schema: {
      hide: true,
      querystring: Type.Object({
        q: Type.Optional(Type.String({ maxLength: 320 })),
        project: Type.Optional(Type.String({ maxLength: 100 })),
        cursor: Type.Optional(Type.String({ maxLength: 1000 })),
      }),
    },
    handler: async (request, reply) => {
      const actor = actorOf(request);
      const q = (request.query.q ?? '').trim();
      const project = isUuid(request.query.project ?? '') ? request.query.project : undefined;
      const cursor = request.query.cursor ?? '';
      const [page, projects] = await Promise.all([
        api.users.find(actor, {
          ...(q !== '' && { query: q }),
          ...(project && { projectId: project }),
          ...(cursor !== '' && { cursor }),
          limit: PAGE_SIZE,
        }),
        api.admin.listProjects(),
      ]);
      const names = new Map(projects.map((each) => [each.id, each.name]));
      const query = (extra: Record<string, string>) =>
        new URLSearchParams({ ...(q !== '' && { q }), ...(project && { project }), ...extra }).toString();
      return renderConsole(reply, request, 'users', {
        title: q === '' ? 'Users' : `Users matching “${q}”`,
        q,
        project: project ?? '',
        projects: projects.map((each) => ({ id: each.id, name: each.name })),
        users: page.users.map((user) => ({ ...userSummary(user), projectName: names.get(user.project_id) ?? user.project_id })),
        nextHref: page.nextCursor === null ? undefined : `/console/users?${query({ cursor: page.nextCursor })}`,
        firstHref: cursor === '' ? undefined : `/console/users?${query({})}`,
      });
    },
  });

/** GET /console/users/:userId: profile, ids, verification, MFA, keys (masked), sessions, audit trail, and the actions the role allows. */
export const userPage = (api: GatehouseApi) =>
  endpoint({
    schema: { hide: true, params: Type.Object({ userId: Type.String({ maxLength: 100 }) }) },
    handler: async (request, reply) => {
      const detail = userDetail(await api.users.show(actorOf(request), request.params.userId));
      return renderConsole(reply, request, 'user', { title: detail.user.email, detail, base: `/console/users/${detail.user.id}` });
    },
  });
