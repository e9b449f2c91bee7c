import type { Logger } from 'pino';
import type { SecurityEvents } from '../events.ts';
import type { Mailer } from '../mail/outbox.ts';
import { minutesText, render, type Template } from '../mail/templates.ts';
import type { Projects } from '../projects.ts';
import { displayName, type Users } from '../users.ts';
import type { ExpiringState } from './state-store.ts';

const NOTICE: Template = {
  subject: 'Failed sign-in attempts on your {{projectName}} account',
  text: 'Hello {{name}},\n\nThere were repeated failed attempts to sign in to your {{projectName}} account ({{email}}), so sign-in from where they came from is paused for {{expiresIn}}. You can still sign in as usual from your own devices.\n\nIf these attempts were not you, consider changing your password.\n',
  html: '<p>Hello {{name}},</p><p>There were repeated failed attempts to sign in to your {{projectName}} account ({{email}}), so sign-in from where they came from is paused for {{expiresIn}}. You can still sign in as usual from your own devices.</p><p>If these attempts were not you, consider changing your password.</p>',
};

/** At most one notice per account per hour, however many locks an attack causes. */
const NOTICE_INTERVAL_SECONDS = 3600;

/**
 * Tells an account's owner when brute-force protection locked sign-ins to it (the
 * `account.locked` security event). Goes through the mail outbox, so it is delivered by SMTP
 * when configured, and kept in the development outbox otherwise.
 */
export function mailOwnersOnLock(deps: {
  events: SecurityEvents;
  mailer: Mailer;
  users: Users;
  projects: Projects;
  state: ExpiringState;
  logger: Logger;
}): void {
  deps.events.on(async (event) => {
    if (event.action !== 'account.locked' || event.userId === undefined || event.projectId === undefined) return;
    const [alreadyNotified = 0] = await deps.state.remaining([`notice:${event.userId}`]);
    if (alreadyNotified > 0) return;
    await deps.state.set(`notice:${event.userId}`, NOTICE_INTERVAL_SECONDS);
    const [user, project] = await Promise.all([deps.users.byId(event.userId), deps.projects.get(event.projectId)]);
    const lockSeconds = typeof event.detail?.lockSeconds === 'number' ? event.detail.lockSeconds : 60;
    const message = render(NOTICE, {
      projectName: project.name,
      email: user.email,
      name: displayName(user),
      expiresIn: minutesText(lockSeconds),
    });
    await deps.mailer.enqueue({ projectId: project.id, kind: 'account-locked', to: user.email, ...message });
    deps.logger.info({ userId: user.id }, 'account owner notified of a sign-in lock');
  });
}
