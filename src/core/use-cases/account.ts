import type { Auth, Principal } from '../auth.ts';
import type { Deletions } from '../deletions.ts';
import type { Directory, DirectorySearch, PublicProfileChanges } from '../directory.ts';
import { ErrorCode, GatehouseError } from '../errors.ts';
import type { Project, Projects } from '../projects.ts';
import type { Session, SessionContext, Sessions } from '../sessions.ts';
import type { Profile, User, Users } from '../users.ts';
import type { TenantRef, Tenants } from './tenants.ts';

/** Everything a "me" endpoint shows, read through the short read caches (core/ttl-cache.ts). */
export interface AccountView {
  readonly user: User;
  readonly profile: Profile;
  readonly project: Project;
  /** Active sessions, newest first; a new array whenever they change. */
  readonly sessions: readonly Session[];
  readonly mfaEnrolled: boolean;
}

/** The signed-in user's own account: reading it, changing its public profile, deleting it; and the project's directory. */
export class Account {
  constructor(
    private readonly deps: {
      readonly tenants: Tenants;
      readonly projects: Projects;
      readonly users: Users;
      readonly sessions: Sessions;
      readonly auth: Auth;
      readonly deletions: Deletions;
      readonly directory: Directory;
    },
  ) {}

  /** The user as read moments ago (hot path of every "me" endpoint). */
  user(principal: Principal): Promise<User> {
    return this.deps.users.cachedById(principal.userId);
  }

  async view(principal: Principal): Promise<AccountView> {
    const { users, projects, sessions, auth } = this.deps;
    const [user, profile, project, active, mfaEnrolled] = await Promise.all([
      users.cachedById(principal.userId),
      users.cachedProfileOf(principal.userId),
      projects.get(principal.projectId),
      sessions.cachedListActive(principal.userId),
      auth.mfaEnrolled(principal.userId),
    ]);
    return { user, profile, project, sessions: active, mfaEnrolled };
  }

  /** Signs the user out everywhere and deletes the account after `days` (0 = now) unless it signs in again. */
  async scheduleDeletion(principal: Principal, days: number, wipe: boolean): Promise<{ user: User; project: Project }> {
    const user = await this.deps.users.byId(principal.userId);
    const scheduled = await this.deps.deletions.schedule(user, days, wipe);
    return { user: scheduled, project: await this.deps.projects.get(principal.projectId) };
  }

  /**
   * Calls off a scheduled deletion. Scheduling signed the user out everywhere, so the proof is
   * the password (or a credential that is somehow still valid).
   */
  async cancelDeletion(
    proof:
      | { readonly principal: Principal }
      | { readonly tenant: TenantRef; readonly email: string; readonly password: string; readonly context: SessionContext },
  ): Promise<User> {
    let user: User;
    if ('principal' in proof) {
      user = await this.deps.users.byId(proof.principal.userId);
    } else {
      const project = await this.deps.tenants.project(proof.tenant);
      ({ user } = await this.deps.auth.checkPassword(project, proof.email, proof.password, proof.context));
    }
    return user.deletion_scheduled_at === null ? user : this.deps.deletions.cancel(user);
  }

  updatePublicProfile(principal: Principal, changes: PublicProfileChanges): Promise<User> {
    return this.deps.directory.updateProfile(principal.userId, changes);
  }

  /** Users of the caller's project whose handle, email or name starts with the query. */
  search(principal: Principal, search: DirectorySearch): Promise<{ users: User[]; total: number }> {
    return this.deps.directory.search(principal.projectId, search);
  }

  /** The active user with this handle in the project, or NotFound. */
  async lookup(tenant: TenantRef, account: string): Promise<User> {
    const user = await this.deps.directory.byAccount(await this.deps.tenants.projectId(tenant), account);
    if (user === undefined) throw new GatehouseError(ErrorCode.NotFound, 'User not found');
    return user;
  }
}
