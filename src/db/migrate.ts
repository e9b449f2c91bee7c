import { readdir, readFile } from 'node:fs/promises';
import type { DatabaseHandle } from './connection.ts';

const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);
// Any constant works: it only has to be the same for every Gatehouse process.
const MIGRATION_LOCK_KEY = 7_346_116_001;

/**
 * Applies every `migrations/NNN_name.sql` not applied yet, in name order, in one transaction
 * under an advisory lock so that instances starting together do not race.
 */
export async function migrate(handle: DatabaseHandle): Promise<string[]> {
  const files = (await readdir(MIGRATIONS_DIR)).filter((name) => name.endsWith('.sql')).sort();
  return handle.withRawSession(async (run) => {
    await run('BEGIN');
    try {
      await run(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
      await run('CREATE TABLE IF NOT EXISTS gatehouse_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
      const rows = await run('SELECT name FROM gatehouse_migrations');
      const applied = new Set(rows.map((row) => String(row.name)));
      const pending = files.filter((name) => !applied.has(name));
      for (const name of pending) {
        await run(await readFile(new URL(name, MIGRATIONS_DIR), 'utf8'));
        await run('INSERT INTO gatehouse_migrations (name) VALUES ($1)', [name]);
      }
      await run('COMMIT');
      return pending;
    } catch (error) {
      await run('ROLLBACK');
      throw error;
    }
  });
}
