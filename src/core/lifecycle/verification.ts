import type { Config } from '../../config.ts';
import { ErrorCode, GatehouseError } from '../errors.ts';
import type { SecurityEvents } from '../events.ts';
import type { Mailer } from '../mail/outbox.ts';
import type { Project, Projects } from '../projects.ts';
import type { User, Users } from '../users.ts';
import { DEFAULT_LINKS, linkFor, sendAccountMail, settingSeconds, type LinkPattern } from './account-mail.ts';
import type { BackgroundTasks } from './background.ts';
import type { EmailTokens, TokenProof } from './email-tokens.ts';

const DEFAULT_TTL_SECONDS = 24 * 3600;
/** One verification email per user per minute, whoever asks. */
export const RESEND_COOLDOWN_MS = 60_000;

export function requiresVerifiedEmail(project: Pick<Project, 'settings'>): boolean {
  return project.settings.requireVerifiedEmail === true;
}

/** Proving the email address: a link sent at registration (and on request), spent once. */
export class EmailVerification {
  constructor(
    private readonly config: Config,
    private readonly projects: Projects,
    private readonly users: Users,
    private readonly tokens: EmailTokens,
    private readonly mailer: Mailer,
    private readonly background: BackgroundTasks,
    private readonly events: SecurityEvents,
  ) {}

  /** Queues a verification email to an unverified user (registration calls this). */
  async send(user: User, project: Project, link: LinkPattern = DEFAULT_LINKS.verifyEmail): Promise<void> {
    if (user.email_verified || !user.is_active) return;
    const ttlSeconds = settingSeconds(project, 'verificationTtlSeconds', DEFAULT_TTL_SECONDS);
    const { id, secret } = await this.tokens.issue(user, 'verify-email', ttlSeconds);
    const url = linkFor(project, 'verifyEmail', link, { base: this.config.linkBaseUrl, id, secret, email: user.email });
    await sendAccountMail(this.mailer, project, user, 'verify-email', { link: url, ttlSeconds });
  }

  /** A new link on request. Answers at once and the same for any address; sends at most once a minute per user. */
  resend(project: Project, email: string, link?: LinkPattern): void {
    this.background.run('resend-verification', async () => {
      const user = await this.users.byEmail(project.id, email);
      if (user === undefined || user.email_verified) return;
      const last = await this.tokens.lastIssued(user.id, 'verify-email');
      if (last !== undefined && Date.now() - last.getTime() < RESEND_COOLDOWN_MS) return;
      await this.send(user, project, link);
    });
  }

  /** Resend for a signed-in user, who may learn the outcome: RateLimited inside the cooldown. */
  async resendFor(user: User, project: Project, link?: LinkPattern): Promise<void> {
    if (user.email_verified) return;
    const last = await this.tokens.lastIssued(user.id, 'verify-email');
    if (last !== undefined && Date.now() - last.getTime() < RESEND_COOLDOWN_MS) {
      throw new GatehouseError(ErrorCode.RateLimited, 'A verification email was sent a moment ago', {
        retryAfter: Math.ceil((RESEND_COOLDOWN_MS - (Date.now() - last.getTime())) / 1000),
      });
    }
    await this.send(user, project, link);
  }

  /** Spends the token and marks the address verified. */
  async verify(proof: TokenProof): Promise<User> {
    const token = await this.tokens.consume('verify-email', proof);
    if (token === undefined) throw new GatehouseError(ErrorCode.InvalidVerificationToken, 'Invalid or expired verification link');
    const user = await this.users.byId(token.user_id);
    // The address changed since the link was sent: the link proves nothing about the new one.
    if (user.email_normalized !== token.email_normalized)
      throw new GatehouseError(ErrorCode.InvalidVerificationToken, 'Invalid or expired verification link');
    const updated = await this.users.update(user.id, { email_verified: true });
    this.events.emit({ action: 'email.verify', outcome: 'success', projectId: user.project_id, userId: user.id });
    return updated;
  }

  /** Registration sends the first link: wired to the 'register' security event. */
  async onRegistered(userId: string, projectId: string): Promise<void> {
    // The user was read moments ago by the registration itself (Users.create primes the cache).
    const [user, project] = await Promise.all([this.users.cachedById(userId), this.projects.get(projectId)]);
    await this.send(user, project);
  }
}
