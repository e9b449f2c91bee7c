import type { Logger } from 'pino';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/connection.ts';
import type { SecurityEvents } from '../events.ts';
import { Mailer } from '../mail/outbox.ts';
import { describeSmtp, smtpTransport } from '../mail/transport.ts';
import type { PasswordHasher } from '../passwords.ts';
import type { Projects } from '../projects.ts';
import type { Sessions } from '../sessions.ts';
import type { Users } from '../users.ts';
import { BackgroundTasks } from './background.ts';
import { EmailTokens } from './email-tokens.ts';
import { Mfa } from './mfa.ts';
import { PasswordChange } from './password-change.ts';
import { PasswordPolicy } from './password-policy.ts';
import { PasswordReset } from './password-reset.ts';
import type { SecretBox } from '../secret-box.ts';
import { EmailVerification } from './verification.ts';

export interface Lifecycle {
  readonly mail: Mailer;
  readonly verification: EmailVerification;
  readonly passwordReset: PasswordReset;
  readonly passwordChange: PasswordChange;
  readonly passwordPolicy: PasswordPolicy;
  readonly mfa: Mfa;
  /** Work started by requests and not awaited by them (reset requests, registration emails). */
  readonly background: BackgroundTasks;
  close(): Promise<void>;
}

export interface LifecycleDeps {
  readonly config: Config;
  readonly db: Db;
  readonly logger: Logger;
  readonly events: SecurityEvents;
  readonly projects: Projects;
  readonly users: Users;
  readonly sessions: Sessions;
  readonly hasher: PasswordHasher;
  /** Seals MFA secrets (opened by createCore: signing keys use it too). */
  readonly box: SecretBox;
}

/** Email delivery, verification, password reset and change, password policy and MFA, wired together. */
export async function createLifecycle(deps: LifecycleDeps): Promise<Lifecycle> {
  const { config, db, logger, events, projects, users, sessions, hasher, box } = deps;
  const mail = new Mailer(db, logger, {
    from: config.mailFrom,
    transport: config.smtpUrl === undefined ? undefined : smtpTransport(config.smtpUrl),
    ...config.mail,
  });
  if (config.smtpUrl === undefined) {
    logger.info('email: no SMTP configured; messages are kept in the development outbox (GET /admin/outbox, `gatehouse outbox`)');
  } else {
    logger.info({ smtp: describeSmtp(config.smtpUrl) }, 'email: delivering through SMTP');
  }
  const background = new BackgroundTasks(logger);
  const tokens = new EmailTokens(db);
  const passwordPolicy = new PasswordPolicy(config.breachedPasswordsUrl, logger);
  const verification = new EmailVerification(config, projects, users, tokens, mail, background, events);
  const passwordReset = new PasswordReset(config, projects, users, tokens, mail, hasher, sessions, passwordPolicy, background, events);
  const passwordChange = new PasswordChange(projects, users, hasher, sessions, passwordPolicy, mail, background, events);
  const mfa = new Mfa(db, users, hasher, box, events);

  events.on((event) => {
    if (event.action === 'register' && event.outcome === 'success' && event.userId !== undefined && event.projectId !== undefined) {
      const { userId, projectId } = event;
      background.run('verification-email', () => verification.onRegistered(userId, projectId));
    }
  });

  return {
    mail,
    verification,
    passwordReset,
    passwordChange,
    passwordPolicy,
    mfa,
    background,
    async close() {
      await background.idle();
      await mail.stop();
    },
  };
}
