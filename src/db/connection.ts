import { execFile } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Config } from '../config.ts';
import { EmbeddedAnalyze } from './embedded-analyze.ts';
import { registerHotRunner } from './hot-statements.ts';
import { DataDirUnusableError, lockDataDir } from './lock.ts';
import { Mutex } from './mutex.ts';
import { GuardedPool, type PoolLimits } from './postgres-pool.ts';
import { PGliteDialect } from './pglite-dialect.ts';
import { PreparedStatements } from './pglite-statements.ts';
import { guarded, TextGuardDialect } from './text-guard.ts';
import type { Database } from './schema.ts';

export type Db = Kysely<Database>;

/** Runs SQL text (several statements allowed) on one connection held for the whole callback. */
export type RawSession = (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

export interface DatabaseHandle {
  readonly db: Db;
  readonly kind: 'pglite' | 'postgres';
  /** Holds one connection exclusively: for migrations and other multi-statement scripts. */
  withRawSession<T>(fn: (run: RawSession) => Promise<T>): Promise<T>;
  /** Connections in use / open, for metrics. */
  poolStats(): { total: number; idle: number; waiting: number };
  /**
   * Background housekeeping the database does not do by itself, started once the schema is
   * migrated: planner statistics on the embedded database (embedded-analyze.ts); nothing on
   * PostgreSQL, whose autovacuum does it.
   */
  startMaintenance(onError: (error: unknown) => void): Promise<void>;
  /**
   * Embedded database on disk only: runs `fn` while no statement runs and every change is
   * checkpointed to the files of `dataDir`, so a copy made by `fn` is consistent (backup.ts).
   * Queries wait meanwhile. Undefined on PostgreSQL and in memory.
   */
  readonly quiesced?: <T>(fn: (dataDir: string) => Promise<T>) => Promise<T>;
  close(): Promise<void>;
}

// Same JavaScript types from both drivers: int8 and numeric as numbers (ids and credits stay
// far below 2^53), and `date` as the plain 'YYYY-MM-DD' string rather than a local-time Date.
const INT8 = 20;
const NUMERIC = 1700;
const DATE = 1082;
const parsers = {
  [INT8]: (value: string): number => Number(value),
  [NUMERIC]: (value: string): number => Number(value),
  [DATE]: (value: string): string => value,
};

export async function openDatabase(config: Config): Promise<DatabaseHandle> {
  return config.databaseUrl === undefined
    ? openEmbedded(config.dataDir, config.pgliteSharedBuffersMb)
    : openPostgres(config.databaseUrl, config.databasePool);
}

async function openPostgres(connectionString: string, limits: PoolLimits): Promise<DatabaseHandle> {
  const types = {
    getTypeParser: (oid: number, format?: 'text' | 'binary') =>
      oid in parsers ? parsers[oid as keyof typeof parsers] : pg.types.getTypeParser(oid, format),
  };
  const pool = new GuardedPool(connectionString, limits, types as NonNullable<pg.PoolConfig['types']>);
  const db = new Kysely<Database>({ dialect: new TextGuardDialect(new PostgresDialect({ pool })) });
  registerHotRunner(db, async (statement, values) =>
    guarded(
      values,
      async () => (await pool.query({ name: statement.name, text: statement.text, values: [...values] })).rows as Record<string, unknown>[],
    ),
  );
  return {
    db,
    kind: 'postgres',
    async withRawSession(fn) {
      const client = await pool.connect();
      try {
        await client.beginRaw();
        return await fn(async (sql, params) => {
          const answer = await client.runRaw(sql, params);
          const last = Array.isArray(answer) ? answer[answer.length - 1] : answer;
          return (last?.rows ?? []) as Record<string, unknown>[];
        });
      } finally {
        // Also after a failure: the connection goes back to the pool with its statement timeout.
        await client.endRaw();
        client.release();
      }
    },
    poolStats: () => ({ total: pool.pool.totalCount, idle: pool.pool.idleCount, waiting: pool.pool.waitingCount }),
    startMaintenance: async () => undefined,
    close: () => db.destroy(),
  };
}

/**
 * PGlite's Postgres is a large WebAssembly module. V8 compiles its hot functions a second time
 * with its optimizing compiler (TurboFan); on the bench that second tier and its compile jobs kept
 * 70–90 MB more resident (peak 362 → 266 MB under a sign-in flood) for no measurable gain in CPU
 * per sign-in (the SQL of a sign-in is short; the baseline Liftoff code serves it). Set before
 * the module is compiled; it concerns only WebAssembly, which nothing else here runs.
 */
function baselineWasmOnly(): void {
  setFlagsFromString('--liftoff-only');
}

async function openEmbedded(dataDir: string, sharedBuffersMb: number): Promise<DatabaseHandle> {
  baselineWasmOnly();
  const memory = dataDir === 'memory://';
  const unlock = memory ? () => undefined : await lockDataDir(dataDir);
  let pglite: PGlite;
  try {
    if (!memory && !existsSync(join(dataDir, 'PG_VERSION'))) await initializeDataDir(dataDir);
    // PGlite's Postgres defaults to 128 MB of shared buffers inside its WASM heap; 16 MB keeps the
    // process far smaller, and pages beyond it are still served from the OS page cache.
    const options = { parsers, startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${sharedBuffersMb}MB`] };
    pglite = memory ? new PGlite(options) : new PGlite(dataDir, options);
    await pglite.waitReady;
  } catch (error) {
    unlock();
    throw error;
  }
  const mutex = new Mutex();
  const statements = new PreparedStatements(pglite);
  let analyze: EmbeddedAnalyze | undefined;
  const db = new Kysely<Database>({ dialect: new TextGuardDialect(new PGliteDialect(pglite, mutex, statements)) });
  registerHotRunner(db, async (statement, values) => {
    const release = await mutex.acquire();
    try {
      return await guarded(values, async () => (await statements.run<Record<string, unknown>>(statement.text, values)).rows);
    } finally {
      release();
    }
  });
  return {
    db,
    kind: 'pglite',
    async withRawSession(fn) {
      const release = await mutex.acquire();
      try {
        return await fn(async (sql, params) => {
          if (params === undefined || params.length === 0) {
            const results = await pglite.exec(sql);
            return (results[results.length - 1]?.rows ?? []) as Record<string, unknown>[];
          }
          return (await pglite.query<Record<string, unknown>>(sql, params)).rows;
        });
      } finally {
        // Raw sessions run migrations and scripts: drop plans that their DDL may have outdated.
        await statements.reset().finally(release);
      }
    },
    poolStats: () => ({ total: 1, idle: mutex.queued === 0 ? 1 : 0, waiting: mutex.queued }),
    async startMaintenance(onError) {
      analyze ??= new EmbeddedAnalyze(pglite, mutex, onError);
      await analyze.start();
    },
    ...(memory
      ? {}
      : {
          async quiesced<T>(fn: (dir: string) => Promise<T>): Promise<T> {
            // The mutex is held by every statement and for a transaction's whole life: holding it, none is open.
            const release = await mutex.acquire();
            try {
              await pglite.exec('CHECKPOINT');
              return await fn(dataDir);
            } finally {
              release();
            }
          },
        }),
    async close() {
      analyze?.stop();
      await db.destroy();
      unlock();
    },
  };
}

const INIT_SCRIPT = new URL('./pglite-init.mjs', import.meta.url);

/**
 * Runs initdb for a new data directory in a child process (see pglite-init.mjs for why). On
 * failure the half-written files are removed, so the next start begins again instead of opening
 * a broken database, and the error names the cause.
 */
async function initializeDataDir(dataDir: string): Promise<void> {
  const before = new Set(readdirSync(dataDir));
  try {
    // No execArgv: the script is plain JavaScript and needs no loader.
    await promisify(execFile)(process.execPath, [fileURLToPath(INIT_SCRIPT), dataDir], { timeout: 120_000 });
  } catch (error) {
    for (const name of readdirSync(dataDir)) if (!before.has(name)) rmSync(join(dataDir, name), { recursive: true, force: true });
    const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim();
    const errno = /^errno (E[A-Z]+)$/.exec(stderr)?.[1];
    if (errno !== undefined) throw new DataDirUnusableError(dataDir, Object.assign(new Error(errno), { code: errno }));
    throw new Error(`Creating the embedded database in ${dataDir} failed${stderr === '' ? '' : `: ${stderr.split('\n')[0]}`}`);
  }
}
