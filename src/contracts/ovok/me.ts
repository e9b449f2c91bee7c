import type { FastifyInstance } from 'fastify';
import type { Static } from 'typebox';
import type { Core } from '../../core/index.ts';
import type { Project } from '../../core/projects.ts';
import type { Session } from '../../core/sessions.ts';
import type { Profile, User } from '../../core/users.ts';
import { bearerGuard, principalOf } from '../../http/auth-guard.ts';
import { MeResponse, errorResponses } from './schemas.ts';
import { sessionView } from './views.ts';

/** The parts an answer was built from: while the read caches return these same objects, so is the answer. */
interface Built {
  readonly user: User;
  readonly profile: Profile;
  readonly project: Project;
  readonly mfaEnrolled: boolean;
  readonly body: string;
}

export function registerMeRoute(app: FastifyInstance, core: Core): void {
  // Keyed by the cached session list, which is a new array whenever the user's sessions change
  // or its cache entry expires: the hot path then skips building and serializing the document.
  const built = new WeakMap<readonly Session[], Built>();
  app.get(
    '/auth/me',
    {
      preHandler: bearerGuard(core),
      schema: { tags: ['ovok'], summary: 'The signed-in user, profile, project and sessions', security: [{ bearer: [] }], response: { 200: MeResponse, ...errorResponses } },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const [user, profile, project, sessions, mfaEnrolled] = await Promise.all([
        core.users.cachedById(principal.userId),
        core.users.cachedProfileOf(principal.userId),
        core.projects.get(principal.projectId),
        core.sessions.cachedListActive(principal.userId),
        core.auth.mfaEnrolled(principal.userId),
      ]);
      let answer = built.get(sessions);
      if (answer === undefined || answer.user !== user || answer.profile !== profile || answer.project !== project || answer.mfaEnrolled !== mfaEnrolled) {
        // Serialized by the route's response schema, which stays the allow-list of what is shown.
        answer = { user, profile, project, mfaEnrolled, body: String(reply.serialize(document(user, profile, project, sessions, mfaEnrolled))) };
        built.set(sessions, answer);
      }
      return reply.type('application/json; charset=utf-8').send(answer.body);
    },
  );
}

function document(user: User, profile: Profile, project: Project, sessions: readonly Session[], mfaEnrolled: boolean): Static<typeof MeResponse> {
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
    security: { mfaEnrolled, sessions: sessions.map(sessionView) },
  };
}
