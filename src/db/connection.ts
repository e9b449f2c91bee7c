import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Config } from '../config.ts';
import { lockDataDir } from './lock.ts';
import { Mutex } from './mutex.ts';
import { PGliteDialect } from './pglite-dialect.ts';
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
  return config.databaseUrl === undefined ? openEmbedded(config.dataDir, config.pgliteSharedBuffersMb) : openPostgres(config.databaseUrl);
}

async function openPostgres(connectionString: string): Promise<DatabaseHandle> {
  const pool = new pg.Pool({
    connectionString,
    max: 10,
    types: {
      getTypeParser: (oid: number, format?: 'text' | 'binary') =>
        oid in parsers ? parsers[oid as keyof typeof parsers] : pg.types.getTypeParser(oid, format),
    },
  });
  // An idle client that loses its server must not crash the process.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    kind: 'postgres',
    async withRawSession(fn) {
      const client = await pool.connect();
      try {
        return await fn(async (sql, params) => {
          const result = await client.query(sql, params);
          const last = Array.isArray(result) ? result[result.length - 1] : result;
          return (last?.rows ?? []) as Record<string, unknown>[];
        });
      } finally {
        client.release();
      }
    },
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    close: () => db.destroy(),
  };
}

async function openEmbedded(dataDir: string, sharedBuffersMb: number): Promise<DatabaseHandle> {
  const memory = dataDir === 'memory://';
  const unlock = memory ? () => undefined : lockDataDir(dataDir);
  let pglite: PGlite;
  try {
    // PGlite's Postgres defaults to 128 MB of shared buffers inside its WASM heap; 32 MB keeps the
    // process far smaller, and pages beyond it are still served from the OS page cache.
    const options = { parsers, startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${sharedBuffersMb}MB`] };
    pglite = memory ? new PGlite(options) : new PGlite(dataDir, options);
    await pglite.waitReady;
  } catch (error) {
    unlock();
    throw error;
  }
  const mutex = new Mutex();
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite, mutex) });
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
        release();
      }
    },
    poolStats: () => ({ total: 1, idle: mutex.queued === 0 ? 1 : 0, waiting: mutex.queued }),
    async close() {
      await db.destroy();
      unlock();
    },
  };
}
