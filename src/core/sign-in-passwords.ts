import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Db } from '../db/connection.ts';
import { BackgroundTasks } from './lifecycle/background.ts';
import { currentCost, hashFormat, needsRehash } from './password-formats.ts';
import { PasswordTiming } from './password-timing.ts';
import type { PasswordHasher } from './passwords.ts';
import type { User, Users } from './users.ts';

/**
 * The password step of a sign-in: verifies any accepted format (imported ones too) with the same
 * timing for a right password, a wrong one and an unknown email (password-timing.ts), and after a
 * success replaces a legacy or outdated hash with argon2id on the server's current parameters.
 */
export class SignInPasswords {
  readonly timing: PasswordTiming;
  private readonly tasks: BackgroundTasks;

  constructor(
    private readonly db: Db,
    private readonly hasher: PasswordHasher,
    private readonly users: Users,
    logger: Logger,
  ) {
    this.timing = new PasswordTiming(db, hasher);
    this.tasks = new BackgroundTasks(logger);
  }

  /** Whether the password is the user's; an unknown user (or one without a password) runs a dummy check. */
  async verify(projectId: string, user: Pick<User, 'password_hash'> | undefined, password: string): Promise<boolean> {
    const current = currentCost(this.hasher.settings);
    const format = user === undefined ? undefined : hashFormat(user.password_hash);
    const measured =
      user !== undefined && format?.ok === true
        ? await this.hasher.verifyMeasured(user.password_hash, password)
        : await this.hasher.verifyDummyMeasured(password);
    this.timing.observe(format?.ok === true ? format.cost : current, measured.ms);
    const pad = (await this.timing.floorMs(projectId, current)) - measured.ms;
    if (pad > 0) await sleep(pad);
    return measured.ok;
  }

  /**
   * After a successful sign-in: re-hashes a legacy or outdated hash in the background, so the
   * answer is not held up (and takes no longer than a failure). A hash changed meanwhile (a
   * password change) is left alone.
   */
  upgrade(user: Pick<User, 'id' | 'project_id' | 'password_hash'>, password: string): void {
    const old = user.password_hash;
    if (!needsRehash(old, this.hasher.settings)) return;
    const format = hashFormat(old);
    this.tasks.run('password-rehash', async () => {
      const fresh = await this.hasher.hash(password);
      const result = await this.db
        .updateTable('users')
        .set({ password_hash: fresh })
        .where('id', '=', user.id)
        .where('password_hash', '=', old)
        .executeTakeFirst();
      this.users.forget(user.id);
      if (Number(result.numUpdatedRows) === 0 || !format.ok) return;
      await this.db
        .updateTable('password_hash_classes')
        .set((eb) => ({ remaining: eb('remaining', '-', 1), updated_at: new Date() }))
        .where('project_id', '=', user.project_id)
        .where('cost', '=', format.cost)
        .where('remaining', '>', 0)
        .execute();
    });
  }

  /** Resolves when every re-hash started so far is done (tests, shutdown). */
  idle(): Promise<void> {
    return this.tasks.idle();
  }
}
