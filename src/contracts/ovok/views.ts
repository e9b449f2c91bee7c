import UAParser from 'ua-parser-js';
import type { Static } from 'typebox';
import type { Session } from '../../core/sessions.ts';
import type { SessionView } from './schemas.ts';

/** Medplum's session summary: where and in what the user is signed in. */
export function sessionView(session: Session): Static<typeof SessionView> {
  const agent = session.user_agent === null ? undefined : new UAParser(session.user_agent);
  return {
    id: session.id,
    lastUpdated: session.last_used_at.toISOString(),
    authMethod: session.auth_method,
    remoteAddress: session.remote_address,
    browser: agent?.getBrowser().name ?? null,
    os: agent?.getOS().name ?? null,
  };
}
