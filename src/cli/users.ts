import type { Config } from '../config.ts';
import { CLI_ACTOR } from '../core/use-cases/actor.ts';
import { userDetail, userSummary } from '../contracts/admin/user-views.ts';
import { withCore, type Output } from './commands.ts';

export type UserAction = 'disable' | 'enable' | 'unlock' | 'revoke-sessions' | 'send-reset';

/** `gatehouse users find [QUERY] [--project ID]`: one page of matching users. */
export async function findUsers(
  config: Config,
  out: Output,
  search: { query?: string; projectId?: string; cursor?: string; limit: number },
): Promise<void> {
  await withCore(config, async (core) => {
    const page = await core.api.users.find(CLI_ACTOR, search);
    const items = page.users.map(userSummary);
    out.print(
      { items, nextCursor: page.nextCursor },
      () =>
        [
          ...items.map((user) =>
            `${user.id}  #${user.number}  ${user.email}${user.account === null ? '' : `  @${user.account}`}  ${user.active ? '' : '(disabled)'}`.trimEnd(),
          ),
          ...(page.nextCursor === null ? [] : [`more: --cursor ${page.nextCursor}`]),
        ].join('\n') || 'No user found.',
    );
  });
}

/** `gatehouse users show ID` */
export async function showUser(config: Config, out: Output, userId: string): Promise<void> {
  await withCore(config, async (core) => {
    const detail = userDetail(await core.api.users.show(CLI_ACTOR, userId));
    const { user } = detail;
    out.print(detail, () =>
      [
        `${user.email}  (${user.id}, #${user.number}, ${detail.profile.reference})`,
        `project ${detail.project.name} (${detail.project.id})`,
        `${user.active ? 'active' : 'disabled'}, email ${user.emailVerified ? 'verified' : 'not verified'}, MFA ${detail.mfaEnrolled ? 'on' : 'off'}${detail.locked ? ', LOCKED OUT' : ''}`,
        `${detail.sessions.length} active session(s), ${detail.apiKeys.length} API key(s), last login ${user.lastLoginAt ?? 'never'}`,
      ].join('\n'),
    );
  });
}

/** `gatehouse users disable|enable|unlock|revoke-sessions|send-reset ID` */
export async function actOnUser(config: Config, out: Output, action: UserAction, userId: string): Promise<void> {
  await withCore(config, async (core) => {
    const users = core.api.users;
    if (action === 'disable' || action === 'enable') await users.update(CLI_ACTOR, userId, { isActive: action === 'enable' });
    else if (action === 'unlock') await users.unlock(CLI_ACTOR, userId);
    else if (action === 'revoke-sessions') await users.revokeSessions(CLI_ACTOR, userId);
    else {
      await users.sendPasswordReset(CLI_ACTOR, userId);
      // The email is queued in the background: let it reach the outbox before the process exits.
      await core.lifecycle.background.idle();
    }
    out.print({ userId, action, done: true }, () => `${action}: done for ${userId}`);
  });
}
