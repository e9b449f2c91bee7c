import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { Core } from '../../core/index.ts';
import { bearerGuard, principalOf } from '../../http/auth-guard.ts';
import { MeResponse, errorResponses } from './schemas.ts';
import { sessionView } from './views.ts';

export function registerMeRoute(scope: FastifyInstance, core: Core): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/auth/me',
    {
      preHandler: bearerGuard(core),
      schema: { tags: ['ovok'], summary: 'The signed-in user, profile, project and sessions', security: [{ bearer: [] }], response: { 200: MeResponse, ...errorResponses } },
    },
    async (request) => {
      const principal = principalOf(request);
      const [user, profile, project, sessions] = await Promise.all([
        core.users.cachedById(principal.userId),
        core.users.cachedProfileOf(principal.userId),
        core.projects.get(principal.projectId),
        core.sessions.cachedListActive(principal.userId),
      ]);
      const profileRef = { reference: `${profile.resource_type}/${profile.id}`, display: `${profile.given_name} ${profile.family_name}`.trim() };
      return {
        project: { resourceType: 'Project' as const, id: project.id, name: project.name, strictMode: true },
        membership: {
          resourceType: 'ProjectMembership' as const,
          id: profile.membership_id,
          project: { reference: `Project/${project.id}`, display: project.name },
          user: { reference: `User/${user.id}`, display: user.email },
          profile: profileRef,
        },
        profile: {
          resourceType: profile.resource_type,
          id: profile.id,
          meta: { versionId: String(profile.updated_at.getTime()), lastUpdated: profile.updated_at.toISOString() },
          name: [{ given: [profile.given_name], family: profile.family_name }],
          telecom: [{ system: 'email', use: 'home', value: user.email }],
        },
        config: { resourceType: 'UserConfiguration' as const, id: profile.membership_id, menu: [] },
        accessPolicy: null,
        security: { mfaEnrolled: await core.auth.mfaEnrolled(user.id), sessions: sessions.map(sessionView) },
      };
    },
  );
}
