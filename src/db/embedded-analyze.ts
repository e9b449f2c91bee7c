import type { PGlite } from '@electric-sql/pglite';
import type { Mutex } from './mutex.ts';

/** How often the embedded database's table sizes are compared with its statistics. */
const CHECK_MS = 60_000;

/**
 * Tables whose planner statistics are missing or out of date: never analyzed, or grown or
 * shrunk by more than a fifth (and at least 8 pages) since. Sizes are read from the files,
 * which costs nothing, unlike the statistics collector (which PGlite's single-user mode keeps
 * poorly).
 */
const STALE_TABLES = `
  SELECT format('%I', c.relname) AS name
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = 'public' AND c.relkind = 'r'
    AND (c.reltuples < 0 OR abs(pg_relation_size(c.oid) / 8192 - c.relpages) > greatest(8, c.relpages / 5))`;

/**
 * The autovacuum daemon's ANALYZE half, for PGlite, which has none. Without statistics the
 * planner guesses, and on the users table it guessed an index that scans every user of the
 * project to find one email. Runs once when the database opens and then every minute; ANALYZE
 * samples at most 30,000 rows per table, so even a large table takes a moment, and only when it
 * has changed size by a fifth.
 */
export class EmbeddedAnalyze {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pglite: PGlite,
    private readonly mutex: Mutex,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Analyzes what needs it now, then keeps checking in the background. */
  async start(): Promise<void> {
    await this.run();
    this.timer = setInterval(() => {
      this.run().catch(this.onError);
    }, CHECK_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async run(): Promise<void> {
    const release = await this.mutex.acquire();
    try {
      if (this.pglite.closed) return;
      const { rows } = await this.pglite.query<{ name: string }>(STALE_TABLES);
      for (const { name } of rows) await this.pglite.exec(`ANALYZE ${name}`);
    } finally {
      release();
    }
  }
}
