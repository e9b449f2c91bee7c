import type { Db } from '../db/connection.ts';
import type { SecurityEvents } from './events.ts';
import type { Sessions } from './sessions.ts';
import type { User, Users } from './users.ts';

const SWEEP_INTERVAL_MS = 60_000;

/**
 * Self-service account deletion with a grace period: the account is signed out everywhere
 * at once, and deleted when the period ends unless the user signs in again before then.
 */
export class Deletions {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Db,
    private readonly users: Users,
    private readonly sessions: Sessions,
    private readonly events: SecurityEvents,
  ) {}

  async schedule(user: User, days: number, wipe: boolean): Promise<User> {
    const due = new Date(Date.now() + days * 24 * 3600 * 1000);
    const updated = await this.users.update(user.id, { deletion_scheduled_at: due, deletion_wipe: wipe });
    await this.sessions.revokeAllOf(user.id, 'deletion_scheduled');
    this.events.emit({
      action: 'account.delete_scheduled',
      outcome: 'success',
      projectId: user.project_id,
      userId: user.id,
      detail: { days, wipe },
    });
    if (days === 0) await this.purgeDue();
    return updated;
  }

  async cancel(user: User): Promise<User> {
    return this.users.update(user.id, { deletion_scheduled_at: null, deletion_wipe: false });
  }

  /** Deletes (or anonymizes) every account whose grace period has ended. */
  async purgeDue(): Promise<number> {
    const due = await this.db
      .selectFrom('users')
      .select(['id', 'project_id', 'deletion_wipe'])
      .where('deletion_scheduled_at', '<=', new Date())
      .limit(500)
      .execute();
    for (const user of due) {
      await this.sessions.revokeAllOf(user.id, 'deleted');
      if (user.deletion_wipe) {
        await this.users.remove(user.id);
      } else {
        // Keep a disabled record (profile data may have to be retained) but free the email and drop the credentials.
        await this.db
          .updateTable('users')
          .set({
            is_active: false,
            email: `deleted+${user.id}@invalid`,
            email_normalized: `deleted+${user.id}@invalid`,
            account: null,
            password_hash: '!',
            deletion_scheduled_at: null,
            updated_at: new Date(),
          })
          .where('id', '=', user.id)
          .execute();
      }
      this.users.forget(user.id);
      this.events.emit({
        action: 'account.deleted',
        outcome: 'success',
        projectId: user.project_id,
        userId: user.id,
        detail: { wipe: user.deletion_wipe },
      });
    }
    return due.length;
  }

  start(onError: (error: unknown) => void): void {
    this.timer = setInterval(() => {
      this.purgeDue().catch(onError);
    }, SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
