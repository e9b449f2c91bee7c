import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { loadConfig, type Config } from '../../src/config.ts';
import { buildApp, type BuildOptions } from '../../src/http/app.ts';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface TestApp {
  readonly app: FastifyInstance;
  readonly config: Config;
  readonly projectId: string;
  readonly clientId: string;
  /** Fresh database URL of this app when running on PostgreSQL. */
  readonly databaseUrl: string | undefined;
  close(): Promise<void>;
}

/** Runs on PostgreSQL when DATABASE_URL is set (CI does both), else on in-memory PGlite. */
export function onPostgres(): boolean {
  return (process.env.DATABASE_URL ?? '') !== '';
}

/** A new, empty database on the DATABASE_URL server; dropped by the returned function. */
export async function freshPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const base = new URL(process.env.DATABASE_URL ?? '');
  const name = `gatehouse_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: base.toString() });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

/**
 * Test environment: cheap argon2 parameters (the hash cost is not what these tests measure),
 * the admin API on, logs quiet. `env` overrides any of it.
 */
export function testEnv(env: Record<string, string> = {}): Record<string, string> {
  return {
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    GATEHOUSE_ADMIN_TOKEN: ADMIN_TOKEN,
    ARGON2_MEMORY_KIB: '256',
    ARGON2_ITERATIONS: '1',
    GATEHOUSE_ISSUER: 'http://gatehouse.test',
    // Tests log in hundreds of times from one address: abuse protection is on only where a
    // test asks for it (test/abuse/), and each app gets its own Redis keys.
    RATE_LIMITS: 'off',
    BRUTE_FORCE: 'off',
    REDIS_KEY_PREFIX: `gatehouse-test:${randomBytes(6).toString('hex')}:`,
    ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
    ...env,
  };
}

/**
 * The environment of a Gatehouse child process (server or CLI) on its own embedded database: the
 * caller's environment without DATABASE_URL/REDIS_URL, cheap argon2, limits off, warnings only.
 */
export function childProcessEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    ...process.env,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    ARGON2_MEMORY_KIB: '256',
    ARGON2_ITERATIONS: '1',
    RATE_LIMITS: 'off',
    BRUTE_FORCE: 'off',
    DATABASE_URL: '',
    REDIS_URL: '',
    ...extra,
  };
}

export async function createTestApp(
  env: Record<string, string> = {},
  options: { databaseUrl?: string; dataDir?: string; build?: BuildOptions } = {},
): Promise<TestApp> {
  let drop: (() => Promise<void>) | undefined;
  let databaseUrl = options.databaseUrl;
  if (databaseUrl === undefined && options.dataDir === undefined && onPostgres()) {
    const fresh = await freshPostgresDatabase();
    databaseUrl = fresh.url;
    drop = fresh.drop;
  }
  const config = loadConfig(
    testEnv({
      GATEHOUSE_DATA_DIR: options.dataDir ?? 'memory://',
      ...(databaseUrl !== undefined ? { DATABASE_URL: databaseUrl } : {}),
      ...env,
    }),
  );
  const app = await buildApp(config, options.build);
  const { project, client } = await app.core.projects.ensureDefault();
  return {
    app,
    config,
    projectId: project.id,
    clientId: client.id,
    databaseUrl,
    async close() {
      await app.close();
      await drop?.();
    },
  };
}

/** JSON body of an inject response, as the shape the test expects (assertions check it). */
export function json<T = Record<string, unknown>>(response: { body: string }): T {
  return JSON.parse(response.body) as T;
}
