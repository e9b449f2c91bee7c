import type { Principal } from '../auth.ts';
import type { LinkPattern } from '../lifecycle/account-mail.ts';
import type { TokenProof } from '../lifecycle/email-tokens.ts';
import type { Lifecycle } from '../lifecycle/index.ts';
import type { Projects } from '../projects.ts';
import type { SessionContext } from '../sessions.ts';
import type { User, Users } from '../users.ts';
import { assertMayManage } from './credentials.ts';
import type { TenantRef, Tenants } from './tenants.ts';

/** Request field names, so core errors name the fields in the contract's words. */
export interface PasswordFields {
  readonly current?: string;
  readonly next?: string;
}

/**
 * Proving and recovering access: password reset by email, password change, and email
 * verification. Links in emails follow the contract's pattern unless the project sets its own.
 */
export class Recovery {
  constructor(
    private readonly deps: {
      readonly tenants: Tenants;
      readonly projects: Projects;
      readonly users: Users;
      readonly lifecycle: Pick<Lifecycle, 'passwordReset' | 'passwordChange' | 'verification'>;
    },
  ) {}

  /**
   * Emails a reset link. Answers before the address is looked up, so neither the answer nor its
   * timing tells whether an account exists (only the tenant is resolved first).
   */
  async requestReset(tenant: TenantRef, email: string, link: LinkPattern, context: SessionContext): Promise<void> {
    this.deps.lifecycle.passwordReset.request(await this.deps.tenants.project(tenant), email, link, context);
  }

  /** Sets a new password with an emailed secret; every session of the user ends. */
  completeReset(proof: TokenProof, password: string, context: SessionContext & { readonly field?: string }): Promise<User> {
    return this.deps.lifecycle.passwordReset.complete(proof, password, context);
  }

  /** Changes the caller's password (the current one is required); every other session ends. */
  changePassword(
    principal: Principal,
    passwords: { readonly current: string; readonly next: string },
    fields: PasswordFields,
    context: SessionContext,
  ): Promise<User> {
    assertMayManage(principal);
    return this.deps.lifecycle.passwordChange.change(
      { userId: principal.userId, sessionId: principal.sessionId, currentPassword: passwords.current, newPassword: passwords.next, fields },
      context,
    );
  }

  verifyEmail(proof: TokenProof): Promise<User> {
    return this.deps.lifecycle.verification.verify(proof);
  }

  /** A new verification link; answers at once and alike for any address. */
  async resendVerification(tenant: TenantRef, email: string, link: LinkPattern): Promise<void> {
    this.deps.lifecycle.verification.resend(await this.deps.tenants.project(tenant), email, link);
  }

  /** A new verification link for the caller, who may learn the outcome (RateLimited inside the cooldown). */
  async resendVerificationFor(principal: Principal, link: LinkPattern): Promise<'sent' | 'already-verified'> {
    const [user, project] = await Promise.all([this.deps.users.byId(principal.userId), this.deps.projects.get(principal.projectId)]);
    if (user.email_verified) return 'already-verified';
    await this.deps.lifecycle.verification.resendFor(user, project, link);
    return 'sent';
  }
}
