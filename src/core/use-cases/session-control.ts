import type { Principal } from '../auth.ts';
import { ErrorCode, GatehouseError } from '../errors.ts';
import type { SecurityEvents } from '../events.ts';
import { isUuid } from '../projects.ts';
import type { Session, SessionContext, Sessions } from '../sessions.ts';

/** Which of the caller's sessions to end: all, all but the current one, the current one, or one by id. */
export type SessionChoice = 'all' | 'other' | 'current' | { readonly id: string };

/** A user's view of their own sessions (Medplum's /auth/session). */
export class SessionControl {
  constructor(private readonly deps: { readonly sessions: Sessions; readonly events: SecurityEvents }) {}

  /** The caller's active sessions, newest first. */
  list(principal: Principal): Promise<Session[]> {
    return this.deps.sessions.listActive(principal.userId);
  }

  /** Ends the chosen sessions of the caller; a session id of anyone else is NotFound. Answers the sessions left. */
  async revoke(principal: Principal, choice: SessionChoice, context: SessionContext): Promise<Session[]> {
    const { sessions } = this.deps;
    const current = principal.sessionId;
    if (choice === 'all') {
      await sessions.revokeAllOf(principal.userId, 'revoked_by_user');
    } else if (choice === 'other') {
      await sessions.revokeAllOf(principal.userId, 'revoked_by_user', current ?? undefined);
    } else if (choice === 'current') {
      if (current !== null) await sessions.revoke([current], 'revoked_by_user');
    } else {
      const session = isUuid(choice.id) ? await sessions.get(choice.id) : undefined;
      if (session === undefined || session.user_id !== principal.userId) throw new GatehouseError(ErrorCode.NotFound, 'Session not found');
      await sessions.revoke([session.id], 'revoked_by_user');
    }
    this.deps.events.emit({
      action: 'session.revoke',
      outcome: 'success',
      projectId: principal.projectId,
      userId: principal.userId,
      detail: { option: typeof choice === 'string' ? choice : 'id' },
      remoteAddress: context.remoteAddress,
      userAgent: context.userAgent,
    });
    return this.list(principal);
  }
}
