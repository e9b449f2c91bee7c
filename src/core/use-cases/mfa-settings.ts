import type { Principal } from '../auth.ts';
import type { Mfa, MfaStatus } from '../lifecycle/mfa.ts';
import type { Projects } from '../projects.ts';
import type { SessionContext } from '../sessions.ts';
import type { Users } from '../users.ts';
import { assertMayManage } from './credentials.ts';

/** The caller's second factor: enrollment, confirmation, recovery codes, turning it off. */
export class MfaSettings {
  constructor(private readonly deps: { readonly users: Users; readonly projects: Projects; readonly mfa: Mfa }) {}

  /** Enrolled, or the pending enrollment (secret, otpauth URI, QR code). */
  async status(principal: Principal): Promise<MfaStatus> {
    const [user, project] = await Promise.all([this.deps.users.byId(principal.userId), this.deps.projects.get(principal.projectId)]);
    return this.deps.mfa.status(user, project);
  }

  /** Confirms enrollment with a current code; answers the recovery codes (shown only now). */
  async confirm(principal: Principal, code: string, context: SessionContext): Promise<string[]> {
    assertMayManage(principal);
    return this.deps.mfa.confirm(await this.deps.users.byId(principal.userId), code, context);
  }

  /** Turns MFA off; proof is a current code, a recovery code, or the password. */
  async disable(
    principal: Principal,
    proof: { readonly code?: string | undefined; readonly password?: string | undefined },
    context: SessionContext,
  ): Promise<void> {
    assertMayManage(principal);
    await this.deps.mfa.disable(await this.deps.users.byId(principal.userId), proof, context);
  }

  async regenerateRecoveryCodes(principal: Principal, code: string): Promise<string[]> {
    assertMayManage(principal);
    return this.deps.mfa.regenerateRecoveryCodes(await this.deps.users.byId(principal.userId), code);
  }
}
