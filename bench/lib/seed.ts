import { PGlite } from '@electric-sql/pglite';
import { hash, type Options } from '@node-rs/argon2';
import pg from 'pg';

/** Gatehouse's default argon2id parameters (src/config.ts), so seeded users cost a real verify. */
const ARGON2ID: Options = { algorithm: 2 as Options['algorithm'], memoryCost: 19456, timeCost: 2, parallelism: 1 };

export const SEED_PASSWORD = 'Bench-Passw0rd-7f3a!';

export function seedEmail(index: number): string {
  return `seed${index}@bench.test`;
}

export type SeedTarget = { readonly kind: 'pglite'; readonly dataDir: string } | { readonly kind: 'postgres'; readonly url: string };

// Users and their profiles in one statement, matching what Users.create writes (src/core/users.ts).
const INSERT = `
WITH u AS (
  INSERT INTO users (id, project_id, email, email_normalized, password_hash, first_name, last_name)
  SELECT gen_random_uuid(), $1::uuid, 'seed' || i || '@bench.test', 'seed' || i || '@bench.test', $2, 'Seed', 'User ' || i
  FROM generate_series($3::int, $4::int) AS i
  RETURNING id, first_name, last_name
)
INSERT INTO profiles (id, membership_id, user_id, project_id, resource_type, given_name, family_name)
SELECT gen_random_uuid(), gen_random_uuid(), u.id, $1::uuid, 'Patient', u.first_name, u.last_name FROM u`;

// Bounded batches keep the embedded database's WASM heap small; one batch is still one statement.
const BATCH = 100_000;

let passwordHash: Promise<string> | undefined;

/**
 * Adds users `from`..`to` (inclusive) straight into the database: one argon2id hash computed
 * once and reused, rows made by generate_series. The embedded database must not be open in
 * the server while this runs (PGlite has one writer), so callers stop the server first.
 */
export async function seedUsers(target: SeedTarget, projectId: string, from: number, to: number): Promise<number> {
  passwordHash ??= hash(SEED_PASSWORD, ARGON2ID);
  const digest = await passwordHash;
  const started = performance.now();
  const run = await open(target);
  try {
    for (let start = from; start <= to; start += BATCH) {
      await run(INSERT, [projectId, digest, start, Math.min(to, start + BATCH - 1)]);
    }
  } finally {
    await run.close();
  }
  return (performance.now() - started) / 1000;
}

export async function countUsers(target: SeedTarget): Promise<number> {
  const run = await open(target);
  try {
    const rows = await run('SELECT count(*)::int AS n FROM users', []);
    return Number(rows[0]?.n ?? 0);
  } finally {
    await run.close();
  }
}

type Run = ((sql: string, params: unknown[]) => Promise<Array<Record<string, unknown>>>) & { close(): Promise<void> };

async function open(target: SeedTarget): Promise<Run> {
  if (target.kind === 'pglite') {
    const db = new PGlite(target.dataDir);
    await db.waitReady;
    const run = async (sql: string, params: unknown[]): Promise<Array<Record<string, unknown>>> =>
      (await db.query<Record<string, unknown>>(sql, params)).rows;
    return Object.assign(run, { close: () => db.close() });
  }
  const client = new pg.Client({ connectionString: target.url });
  await client.connect();
  const run = async (sql: string, params: unknown[]): Promise<Array<Record<string, unknown>>> =>
    (await client.query<Record<string, unknown>>(sql, params)).rows;
  return Object.assign(run, { close: () => client.end() });
}
