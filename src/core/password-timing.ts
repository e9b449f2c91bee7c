import { randomBytes } from 'node:crypto';
import type { Db } from '../db/connection.ts';
import type { PasswordHasher } from './passwords.ts';
import { TtlCache } from './ttl-cache.ts';

/** How long a project's list of imported hash classes is reused (an import elsewhere shows up after it). */
const CLASS_CACHE_MS = 30_000;
/** Weight of a new measurement in a class's running average. */
const EWMA_WEIGHT = 0.1;
/** Padding aims this far above the slowest class's average, so its own slow runs stay covered. */
const MARGIN_RATIO = 1.15;
const MARGIN_MS = 2;

/**
 * Sign-in timing for projects with imported password hashes. A bcrypt cost-12 hash takes ~250 ms
 * to check, argon2id with the server's parameters maybe 40 ms: unpadded, a wrong password for an
 * imported user would take longer than for anyone else, and an unknown email less, telling who
 * was imported. So every password check in such a project (right, wrong, unknown email) is
 * padded to the slowest cost class still waiting for re-hashing there. Costs are the hash
 * threads' own running times (no queueing), averaged per class; a class not measured yet in
 * this process is measured once on its sample hash before it is used.
 */
export class PasswordTiming {
  private readonly averages = new Map<string, number>();
  private readonly classes = new TtlCache<ReadonlyArray<{ cost: string; sample_hash: string }>>(CLASS_CACHE_MS);
  private readonly calibrations = new Map<string, Promise<void>>();

  constructor(
    private readonly db: Db,
    private readonly hasher: PasswordHasher,
  ) {}

  observe(cost: string, ms: number): void {
    const average = this.averages.get(cost);
    this.averages.set(cost, average === undefined ? ms : average + EWMA_WEIGHT * (ms - average));
  }

  /** The time a password check in this project is padded to (0 when nothing needs padding). */
  async floorMs(projectId: string, currentCost: string): Promise<number> {
    const classes = await this.classes.load(projectId, () =>
      this.db
        .selectFrom('password_hash_classes')
        .select(['cost', 'sample_hash'])
        .where('project_id', '=', projectId)
        .where('remaining', '>', 0)
        .execute(),
    );
    if (classes.length === 0) return 0;
    await Promise.all(classes.filter((c) => !this.averages.has(c.cost)).map((c) => this.calibrate(c.cost, c.sample_hash)));
    let slowest = this.averages.get(currentCost) ?? 0;
    for (const { cost } of classes) slowest = Math.max(slowest, this.averages.get(cost) ?? 0);
    return slowest * MARGIN_RATIO + MARGIN_MS;
  }

  /** Drops the cached class list (after an import into the project). */
  forget(projectId: string): void {
    this.classes.delete(projectId);
  }

  private calibrate(cost: string, sampleHash: string): Promise<void> {
    let running = this.calibrations.get(cost);
    if (running === undefined) {
      running = (async () => {
        // Two runs of a password that cannot match; a failure (queue full) leaves the class unmeasured.
        for (let run = 0; run < 2; run += 1)
          this.observe(cost, (await this.hasher.verifyMeasured(sampleHash, randomBytes(12).toString('hex'))).ms);
      })()
        .catch(() => undefined)
        .finally(() => this.calibrations.delete(cost));
      this.calibrations.set(cost, running);
    }
    return running;
  }
}
