import type { SecurityEvents } from '../events.ts';
import type { RevocationStore } from '../revocations.ts';
import type { Session, SessionContext, Sessions } from '../sessions.ts';
import { hasScope } from './scopes.ts';
import type { Db } from '../../db/connection.ts';

/** One browser signed in to this many projects at once keeps them all (one cookie, secrets joined by '.'). */
export const MAX_SESSIONS_PER_BROWSER = 8;

/**
 * Browser (SSO) sessions of the hosted pages: rows of `sessions` of kind 'sso', one per sign-in,
 * per project, held by a cookie whose secret is stored as a SHA-256 (Sessions.create). A second
 * app of the project finds the session and signs the user in without a prompt.
 */
export class BrowserSessions {
  constructor(
    private readonly db: Db,
    private readonly sessions: Sessions,
    private readonly revocations: RevocationStore,
    private readonly events: SecurityEvents,
  ) {}

  /** The live browser session of this project among the secrets the browser's cookie holds, or undefined. */
  async current(secrets: readonly string[], projectId: string): Promise<Session | undefined> {
    for (const secret of secrets.slice(0, MAX_SESSIONS_PER_BROWSER)) {
      const session = await this.sessions.byCookie(secret, 'sso').catch(() => undefined);
      if (session !== undefined && session.project_id === projectId && !(await this.revocations.isRevoked(session.id))) return session;
    }
    return undefined;
  }

  /** The cookie's secrets after a sign-in: the new one first; the one it replaces and the oldest beyond the cap dropped. */
  static add(secrets: readonly string[], added: string, replaced?: string): string[] {
    return [added, ...secrets.filter((secret) => secret !== added && secret !== replaced)].slice(0, MAX_SESSIONS_PER_BROWSER);
  }

  async live(sessionId: string): Promise<Session | undefined> {
    const session = await this.sessions.get(sessionId);
    if (session === undefined || session.kind !== 'sso' || session.revoked_at !== null || session.expires_at <= new Date())
      return undefined;
    return (await this.revocations.isRevoked(session.id)) ? undefined : session;
  }

  /**
   * A new sign-in in a browser that had a session of the project (prompt=login, max_age, another
   * account): the old session ends and the token sessions it started follow the new one, so that
   * logging out later still ends them.
   */
  async replace(old: Session, replacement: Session): Promise<void> {
    await this.db.updateTable('sessions').set({ parent_id: replacement.id }).where('parent_id', '=', old.id).execute();
    await this.sessions.revoke([old.id], 'replaced');
  }

  /**
   * Ends a browser session and the token sessions it started that were not granted offline
   * access (their access tokens stop working at once; offline refresh tokens live on).
   */
  async end(session: Session, reason: string, context: SessionContext): Promise<void> {
    const children = await this.db
      .selectFrom('sessions')
      .select(['id', 'scope'])
      .where('parent_id', '=', session.id)
      .where('revoked_at', 'is', null)
      .execute();
    const online = children.filter((child) => !hasScope(child.scope, 'offline_access')).map((child) => child.id);
    await this.sessions.revoke([session.id, ...online], reason);
    this.events.emit({
      action: 'logout',
      outcome: 'success',
      projectId: session.project_id,
      userId: session.user_id,
      sessionId: session.id,
      remoteAddress: context.remoteAddress,
      userAgent: context.userAgent,
      detail: { via: 'oidc', ended: online.length + 1 },
    });
  }
}
