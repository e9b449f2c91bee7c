import type { Static } from 'typebox';
import type { AccountView } from '../../core/use-cases/account.ts';
import type { GatehouseApi } from '../../core/use-cases/index.ts';
import type { Session } from '../../core/sessions.ts';
import { principalOf } from '../../http/authenticate.ts';
import { endpoint } from '../../http/routes.ts';
import { signedIn } from './guard.ts';
import { MeResponse, errorResponses } from './schemas.ts';
import { sessionView } from './views.ts';

/** The parts an answer was built from: while the read caches return these same objects, so is the answer. */
interface Built extends Omit<AccountView, 'sessions'> {
  readonly body: string;
}

/** GET /auth/me: the signed-in user, profile, project and sessions (Medplum's shape). */
export const me = (api: GatehouseApi) => {
  // Keyed by the cached session list, which is a new array whenever the user's sessions change
  // or its cache entry expires: the hot path then skips building and serializing the document.
  const built = new WeakMap<readonly Session[], Built>();
  return endpoint({
    schema: {
      tags: ['ovok'],
      summary: 'The signed-in user, profile, project and sessions',
      security: [{ bearer: [] }],
      response: { 200: MeResponse, ...errorResponses },
    },
    preHandler: signedIn(api),
    handler: async (request, reply) => {
      const view = await api.account.view(principalOf(request));
      let answer = built.get(view.sessions);
      if (
        answer === undefined ||
        answer.user !== view.user ||
        answer.profile !== view.profile ||
        answer.project !== view.project ||
        answer.mfaEnrolled !== view.mfaEnrolled
      ) {
        // Serialized by the route's response schema, which stays the allow-list of what is shown.
        const { sessions: _sessions, ...parts } = view;
        answer = { ...parts, body: String(reply.serialize(document(view))) };
        built.set(view.sessions, answer);
      }
      // A string goes out as it is (Fastify does not serialize it again): it is the document, serialized above.
      return reply.type('application/json; charset=utf-8').send(answer.body as unknown as Static<typeof MeResponse>);
    },
  });
};

function document({ user, profile, project, sessions, mfaEnrolled }: AccountView): Static<typeof MeResponse> {
  const profileRef = {
    reference: `${profile.resource_type}/${profile.id}`,
    display: `${profile.given_name} ${profile.family_name}`.trim(),
  };
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
