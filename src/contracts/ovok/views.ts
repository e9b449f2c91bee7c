import UAParser from 'ua-parser-js';
import type { Static } from 'typebox';
import type { TokenPair } from '../../core/auth.ts';
import type { Project } from '../../core/projects.ts';
import type { Session } from '../../core/sessions.ts';
import { TtlCache } from '../../core/ttl-cache.ts';
import { displayName, profileReference, type Profile, type User } from '../../core/users.ts';
import type { RegisterLoginResponse, SessionView } from './schemas.ts';

/** Medplum's answer to a registration or a sign-in: the tokens, the project and the profile. */
export function signedInAnswer(signedIn: {
  readonly tokens: TokenPair;
  readonly project: Project;
  readonly profile: Profile;
  readonly user: User;
}): Static<typeof RegisterLoginResponse> {
  const { tokens, project, profile, user } = signedIn;
  return {
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    expiresIn: tokens.expiresIn,
    project: { reference: `Project/${project.id}`, display: project.name },
    profile: { reference: profileReference(profile), display: displayName(user) },
  };
}

// Parsing a user agent costs far more than the rest of a session summary; clients send few distinct ones.
const parsedAgents = new TtlCache<{ browser: string | null; os: string | null }>(3_600_000, 1_000);

function describeAgent(userAgent: string | null): { browser: string | null; os: string | null } {
  if (userAgent === null) return { browser: null, os: null };
  let parsed = parsedAgents.get(userAgent);
  if (parsed === undefined) {
    const agent = new UAParser(userAgent);
    parsed = { browser: agent.getBrowser().name ?? null, os: agent.getOS().name ?? null };
    parsedAgents.set(userAgent, parsed);
  }
  return parsed;
}

/** Medplum's session summary: where and in what the user is signed in. */
export function sessionView(session: Session): Static<typeof SessionView> {
  return {
    id: session.id,
    lastUpdated: session.last_used_at.toISOString(),
    authMethod: session.auth_method,
    remoteAddress: session.remote_address,
    ...describeAgent(session.user_agent),
  };
}
