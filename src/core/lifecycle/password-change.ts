import { ErrorCode, GatehouseError } from '../errors.ts';
import type { SecurityEvents } from '../events.ts';
import type { Mailer } from '../mail/outbox.ts';
import type { PasswordHasher } from '../passwords.ts';
import type { Projects } from '../projects.ts';
import type { SessionContext, Sessions } from '../sessions.ts';
import type { User, Users } from '../users.ts';
import { sendAccountMail } from './account-mail.ts';
import type { BackgroundTasks } from './background.ts';
import type { PasswordPolicy } from './password-policy.ts';

export interface PasswordChangeInput {
  readonly userId: string;
  /** The session making the change stays signed in; every other one is revoked. */
  readonly sessionId: string | null;
  readonly currentPassword: string;
  readonly newPassword: string;
  /** Request field names, for errors in the contract's words. */
  readonly fields?: { readonly current?: string; readonly next?: string };
}

/** Changing the password while signed in: the current one is required. */
export class PasswordChange {
  constructor(
    private readonly projects: Projects,
    private readonly users: Users,
    private readonly hasher: PasswordHasher,
    private readonly sessions: Sessions,
    private readonly policy: PasswordPolicy,
    private readonly mailer: Mailer,
    private readonly background: BackgroundTasks,
    private readonly events: SecurityEvents,
  ) {}

  async change(input: PasswordChangeInput, context: SessionContext = {}): Promise<User> {
    const user = await this.users.byId(input.userId);
    const event = {
      projectId: user.project_id,
      userId: user.id,
      sessionId: input.sessionId ?? undefined,
      remoteAddress: context.remoteAddress,
      userAgent: context.userAgent,
    };
    if (!(await this.hasher.verify(user.password_hash, input.currentPassword))) {
      this.events.emit({ action: 'password.change', outcome: 'failure', ...event, detail: { reason: 'wrong_password' } });
      const field = input.fields?.current ?? 'currentPassword';
      throw new GatehouseError(ErrorCode.WrongPassword, 'Incorrect password', { fields: [{ field, message: 'Incorrect password' }] });
    }
    const project = await this.projects.get(user.project_id);
    await this.policy.check(project, input.newPassword, { email: user.email, field: input.fields?.next ?? 'newPassword' });
    const updated = await this.users.update(user.id, { password_hash: await this.hasher.hash(input.newPassword) });
    await this.sessions.revokeAllOf(user.id, 'password_changed', input.sessionId ?? undefined);
    this.events.emit({ action: 'password.change', outcome: 'success', ...event });
    // The change is done: a failure to queue the notice must not turn it into an error.
    this.background.run('password-changed-notice', () => sendAccountMail(this.mailer, project, updated, 'password-changed'));
    return updated;
  }
}
