import type { BruteForceGuard } from '../abuse/brute-force.ts';
import type { ApiKey, ApiKeys } from '../api-keys.ts';
import type { AuditLog, AuditRow } from '../audit.ts';
import { ErrorCode, GatehouseError } from '../errors.ts';
import type { SecurityEvents } from '../events.ts';
import type { Lifecycle } from '../lifecycle/index.ts';
import type { Project, Projects } from '../projects.ts';
import type { Session, Sessions } from '../sessions.ts';
import type { Profile, User, Users } from '../users.ts';
import { actorFields, assertMay, type Actor, type Permission } from './actor.ts';

/** Everything an operator sees of one user. */
export interface UserDetail {
  readonly user: User;
  readonly profile: Profile;
  readonly project: Project;
  readonly mfaEnrolled: boolean;
  readonly apiKeys: readonly ApiKey[];
  readonly sessions: readonly Session[];
  /** Logins held back right now (lockout) from the addresses it recently failed from, or from anywhere. */
  readonly locked: boolean;
  /** The user's newest audit events. */
  readonly audit: readonly AuditRow[];
}

export interface UserChanges {
  readonly isActive?: boolean;
  readonly emailVerified?: boolean;
  readonly plan?: string;
  readonly credits?: number;
}

/** How far back failed logins are read to find the addresses a lockout may hold (the lockout's own memory). */
const UNLOCK_LOOKBACK_MS = 12 * 3600 * 1000;

/** Finding users across projects and acting on them (admin API, CLI, console). Every change is an audit event naming the actor. */
export class UserAdministration {
  constructor(
    private readonly deps: {
      readonly users: Users;
      readonly projects: Projects;
      readonly sessions: Sessions;
      readonly apiKeys: ApiKeys;
      readonly audit: AuditLog;
      readonly bruteForce: BruteForceGuard;
      readonly lifecycle: Pick<Lifecycle, 'mfa' | 'passwordReset'>;
      readonly events: SecurityEvents;
    },
  ) {}

  /** A page of users matching `query` (id, number, or a prefix of email, account or name), and the cursor of the next. */
  async find(
    actor: Actor,
    search: { projectId?: string; query?: string; cursor?: string; limit: number },
  ): Promise<{ users: User[]; nextCursor: string | null }> {
    assertMay(actor, 'read');
    const limit = Math.min(Math.max(Math.trunc(search.limit), 1), 200);
    const rows = await this.deps.users.search({
      projectId: search.projectId,
      query: search.query,
      after: decodeCursor(search.cursor),
      limit: limit + 1,
    });
    const users = rows.slice(0, limit);
    const last = users.at(-1);
    return { users, nextCursor: rows.length > limit && last !== undefined ? encodeCursor(last) : null };
  }

  async show(actor: Actor, userId: string): Promise<UserDetail> {
    assertMay(actor, 'read');
    const { users, projects, sessions, apiKeys, audit, lifecycle } = this.deps;
    const user = await this.user(userId);
    const [profile, project, mfaEnrolled, keys, active, events, addresses] = await Promise.all([
      users.profileOf(user.id),
      projects.get(user.project_id),
      lifecycle.mfa.enrolled(user.id),
      apiKeys.list(user.id),
      sessions.listActive(user.id),
      audit.list({ userId: user.id, limit: 50 }),
      this.failedFrom(user),
    ]);
    const locked = await this.deps.bruteForce.lockedFrom(user.project_id, user.email, addresses);
    return { user, profile, project, mfaEnrolled, apiKeys: keys, sessions: active, locked, audit: events };
  }

  /** Disable or enable (disabling ends every session), mark the email verified, change plan or credits. */
  async update(actor: Actor, userId: string, changes: UserChanges): Promise<User> {
    assertMay(actor, 'users.update');
    const user = await this.user(userId);
    const updated = await this.deps.users.update(user.id, {
      ...(changes.isActive !== undefined && { is_active: changes.isActive }),
      ...(changes.emailVerified !== undefined && { email_verified: changes.emailVerified }),
      ...(changes.plan !== undefined && { plan: changes.plan }),
      ...(changes.credits !== undefined && { credits: changes.credits }),
    });
    this.record('admin.user.update', actor, user, { changes: { ...changes } });
    return updated;
  }

  /** Deletes the user now, with its profile, sessions (revoked first, so its tokens stop at once) and keys. */
  async delete(actor: Actor, userId: string): Promise<void> {
    assertMay(actor, 'users.delete');
    const user = await this.user(userId);
    await this.deps.sessions.revokeAllOf(user.id, 'deleted_by_admin');
    await this.deps.users.remove(user.id);
    this.record('admin.user.delete', actor, user, { email: user.email });
  }

  async revokeSessions(actor: Actor, userId: string): Promise<number> {
    return this.act(
      actor,
      'users.sessions',
      userId,
      'admin.user.revoke_sessions',
      async (user) => (await this.deps.sessions.revokeAllOf(user.id, 'revoked_by_admin')).length,
    );
  }

  /** Ends one session of the user (its access tokens are refused at once). */
  async revokeSession(actor: Actor, userId: string, sessionId: string): Promise<void> {
    await this.act(actor, 'users.sessions', userId, 'admin.user.revoke_session', async (user) => {
      const session = /^[0-9a-f-]{36}$/i.test(sessionId) ? await this.deps.sessions.get(sessionId) : undefined;
      if (session === undefined || session.user_id !== user.id) throw new GatehouseError(ErrorCode.NotFound, 'Session not found');
      await this.deps.sessions.revoke([session.id], 'revoked_by_admin');
    });
  }

  /** Lifts the login lockout of the user's account and of the addresses it recently failed from. */
  async unlock(actor: Actor, userId: string): Promise<void> {
    await this.act(actor, 'users.unlock', userId, 'admin.user.unlock', async (user) =>
      this.deps.bruteForce.unlock(user.project_id, user.email, await this.failedFrom(user)),
    );
  }

  /** Emails the user a password-reset link (the project's link pattern, else the hosted page's). */
  async sendPasswordReset(actor: Actor, userId: string): Promise<void> {
    await this.act(actor, 'users.mail', userId, 'admin.user.send_password_reset', async (user) => {
      this.deps.lifecycle.passwordReset.request(await this.deps.projects.get(user.project_id), user.email);
    });
  }

  async resetMfa(actor: Actor, userId: string): Promise<void> {
    await this.act(actor, 'users.mfa', userId, 'admin.user.reset_mfa', async (user) => this.deps.lifecycle.mfa.reset(user.id));
  }

  private async act<T>(actor: Actor, permission: Permission, userId: string, action: string, work: (user: User) => Promise<T>): Promise<T> {
    assertMay(actor, permission);
    const user = await this.user(userId);
    const result = await work(user);
    this.record(action, actor, user);
    return result;
  }

  private async user(userId: string): Promise<User> {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(userId))
      throw new GatehouseError(ErrorCode.NotFound, 'User not found');
    return this.deps.users.byId(userId);
  }

  /** Addresses the user's recent failed logins and lockouts came from (the lockout keys are per address). */
  private async failedFrom(user: User): Promise<string[]> {
    const since = new Date(Date.now() - UNLOCK_LOOKBACK_MS);
    const [failures, locks] = await Promise.all([
      this.deps.audit.list({ userId: user.id, action: 'login', since, limit: 1000 }),
      this.deps.audit.list({ userId: user.id, action: 'account.locked', since, limit: 1000 }),
    ]);
    return [...failures.filter((row) => row.outcome === 'failure'), ...locks].flatMap((row) =>
      row.remote_address === null ? [] : [row.remote_address],
    );
  }

  private record(action: string, actor: Actor, user: User, detail: Record<string, unknown> = {}): void {
    const { remoteAddress, actor: name } = actorFields(actor);
    this.deps.events.emit({
      action,
      outcome: 'success',
      projectId: user.project_id,
      userId: user.id,
      ...(remoteAddress !== undefined && { remoteAddress }),
      detail: { ...detail, actor: name },
    });
  }
}

function encodeCursor(user: User): string {
  return Buffer.from(JSON.stringify([user.email_normalized, user.id])).toString('base64url');
}

function decodeCursor(cursor: string | undefined): { email: string; id: string } | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  try {
    const [email, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof email === 'string' && typeof id === 'string') return { email, id };
  } catch {
    // Falls through to the error below.
  }
  throw new GatehouseError(ErrorCode.Validation, 'Invalid cursor', { fields: [{ field: 'cursor', message: 'Invalid cursor' }] });
}
