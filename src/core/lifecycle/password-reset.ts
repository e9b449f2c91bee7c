import type { Config } from '../../config.ts';
import { ErrorCode, GatehouseError } from '../errors.ts';
import type { SecurityEvents } from '../events.ts';
import type { Mailer } from '../mail/outbox.ts';
import type { PasswordHasher } from '../passwords.ts';
import type { Project, Projects } from '../projects.ts';
import type { SessionContext, Sessions } from '../sessions.ts';
import type { User, Users } from '../users.ts';
import { DEFAULT_LINKS, linkFor, sendAccountMail, settingSeconds, type LinkPattern } from './account-mail.ts';
import type { BackgroundTasks } from './background.ts';
import type { EmailTokens, TokenProof } from './email-tokens.ts';
import type { PasswordPolicy } from './password-policy.ts';

const DEFAULT_TTL_SECONDS = 3600;
/** At most one reset email per user per minute, however often it is asked for. */
const REQUEST_COOLDOWN_MS = 60_000;

function invalidToken(): GatehouseError {
  return new GatehouseError(ErrorCode.InvalidResetToken, 'Invalid or expired password reset link');
}

/**
 * Forgotten passwords: an emailed single-use secret (1 hour by default, project setting
 * `passwordResetTtlSeconds`), then a new password that signs the user out everywhere.
 */
export class PasswordReset {
  constructor(
    private readonly config: Config,
    private readonly projects: Projects,
    private readonly users: Users,
    private readonly tokens: EmailTokens,
    private readonly mailer: Mailer,
    private readonly hasher: PasswordHasher,
    private readonly sessions: Sessions,
    private readonly policy: PasswordPolicy,
    private readonly background: BackgroundTasks,
    private readonly events: SecurityEvents,
  ) {}

  /**
   * Starts a reset. Returns before looking the address up, so the answer and its timing are
   * the same whether or not an account exists; the lookup and the email happen in background.
   */
  request(project: Project, email: string, link: LinkPattern = DEFAULT_LINKS.resetPassword, context: SessionContext = {}): void {
    this.background.run('password-reset-request', async () => {
      const user = await this.users.byEmail(project.id, email);
      this.events.emit({
        action: 'password.reset_request',
        outcome: user === undefined ? 'failure' : 'success',
        projectId: project.id,
        userId: user?.id,
        remoteAddress: context.remoteAddress,
        userAgent: context.userAgent,
        ...(user === undefined && { detail: { reason: 'unknown_email' } }),
      });
      if (user === undefined || !user.is_active) return;
      const last = await this.tokens.lastIssued(user.id, 'password-reset');
      if (last !== undefined && Date.now() - last.getTime() < REQUEST_COOLDOWN_MS) return;
      const ttlSeconds = settingSeconds(project, 'passwordResetTtlSeconds', DEFAULT_TTL_SECONDS);
      const { id, secret } = await this.tokens.issue(user, 'password-reset', ttlSeconds);
      const url = linkFor(project, 'resetPassword', link, { base: this.config.linkBaseUrl, id, secret, email: user.email });
      await sendAccountMail(this.mailer, project, user, 'password-reset', { link: url, ttlSeconds });
    });
  }

  /**
   * Sets the new password and spends the secret. Under concurrent use of one secret exactly one
   * call succeeds (the others get InvalidResetToken). Every session of the user is revoked.
   */
  async complete(proof: TokenProof, password: string, context: SessionContext & { field?: string } = {}): Promise<User> {
    const pending = await this.tokens.peek('password-reset', proof);
    if (pending === undefined) throw invalidToken();
    const user = await this.users.byId(pending.user_id);
    if (user.email_normalized !== pending.email_normalized || !user.is_active) throw invalidToken();
    const project = await this.projects.get(user.project_id);
    // Checked before the secret is spent: a refused password leaves the link usable.
    await this.policy.check(project, password, { email: user.email, field: context.field });
    const passwordHash = await this.hasher.hash(password);
    const token = await this.tokens.consume('password-reset', proof);
    if (token === undefined) throw invalidToken();
    // The link reached the inbox, so the address is proven too.
    const updated = await this.users.update(user.id, { password_hash: passwordHash, email_verified: true });
    await this.tokens.revokeAll(user.id, 'password-reset');
    await this.sessions.revokeAllOf(user.id, 'password_reset');
    this.events.emit({
      action: 'password.reset',
      outcome: 'success',
      projectId: user.project_id,
      userId: user.id,
      remoteAddress: context.remoteAddress,
      userAgent: context.userAgent,
    });
    return updated;
  }

  /** Whether a secret is live (a reset page may check before showing its form). */
  async isValid(proof: TokenProof): Promise<boolean> {
    return (await this.tokens.peek('password-reset', proof)) !== undefined;
  }
}
