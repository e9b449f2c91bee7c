import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Databases } from './databases.ts';
import {
  defaultClient,
  newAdminToken,
  ovokLogin,
  startGatehouse,
  type Gatehouse,
  type GatehouseOptions,
  type OvokTokens,
} from './gatehouse.ts';
import { log } from './scenario.ts';
import { SEED_PASSWORD, countUsers, seedEmail, seedUsers, type SeedTarget } from './seed.ts';

/** A running Gatehouse with `seeded` users (seed1..seedN), ready to be measured. */
export interface GatehouseUnderTest {
  readonly label: string;
  readonly server: Gatehouse;
  readonly clientId: string;
  readonly seeded: number;
  readonly users: number;
  readonly seedSeconds: number;
  stop(): Promise<void>;
}

/**
 * Starts Gatehouse on a fresh database and seeds `users` users into it. The embedded database has
 * one writer, so there the server is stopped while the rows go straight into its directory, and
 * started again; on PostgreSQL the rows go in while it runs.
 */
export async function prepareGatehouse(
  databases: Databases,
  label: string,
  users: number,
  cpuProfDir: string | undefined,
  env?: Readonly<Record<string, string>>,
): Promise<GatehouseUnderTest> {
  const dataDir = mkdtempSync(join(tmpdir(), `bench-${label}-`));
  const databaseUrl = await databases.create(label);
  const target: SeedTarget = databaseUrl === undefined ? { kind: 'pglite', dataDir } : { kind: 'postgres', url: databaseUrl };
  const options: GatehouseOptions = { dataDir, databaseUrl, adminToken: newAdminToken(), cpuProfDir, ...(env !== undefined && { env }) };
  let server: Gatehouse | undefined;
  const stop = async (): Promise<void> => {
    await server?.child.stop();
    rmSync(dataDir, { recursive: true, force: true });
    await databases.drop(label);
  };
  try {
    server = await startGatehouse(options);
    const { projectId, clientId } = await defaultClient(server.baseUrl, options.adminToken);
    log(`${label}: seeding ${users} users (${target.kind})`);
    if (target.kind === 'pglite') await server.child.stop();
    const seedSeconds = await seedUsers(target, projectId, 1, users);
    if (target.kind === 'pglite') server = await startGatehouse(options);
    const stored = await countUsers(target);
    log(`${label}: seeded in ${seedSeconds.toFixed(1)} s; ${stored} users stored`);
    const started = server;
    return { label, server: started, clientId, seeded: users, users: stored, seedSeconds, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

export function loginBody(clientId: string, index: number): string {
  return JSON.stringify({ email: seedEmail(index), password: SEED_PASSWORD, clientId });
}

/** A login that, refused with 503 (a busy machine), waits as Retry-After asks and tries again. */
async function politeLogin(gatehouse: GatehouseUnderTest, index: number): Promise<OvokTokens> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await ovokLogin(gatehouse.server.baseUrl, gatehouse.clientId, seedEmail(index), SEED_PASSWORD);
    } catch (error) {
      if (attempt >= 20 || !(error instanceof Error) || !error.message.includes('HTTP 503')) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

/** Sessions of `count` distinct random seeded users, 8 logins at a time. */
export async function sessionsOf(gatehouse: GatehouseUnderTest, count: number): Promise<OvokTokens[]> {
  const picks = new Set<number>();
  while (picks.size < Math.min(count, gatehouse.seeded)) picks.add(1 + Math.floor(Math.random() * gatehouse.seeded));
  const indexes = [...picks];
  const tokens: OvokTokens[] = [];
  for (let i = 0; i < indexes.length; i += 8) {
    tokens.push(...(await Promise.all(indexes.slice(i, i + 8).map((index) => politeLogin(gatehouse, index)))));
  }
  return tokens;
}

/** Waits until no password hash is running or queued in the server (from its /metrics), at most `maxMs`. */
export async function hashIdle(baseUrl: string, maxMs = 3000): Promise<void> {
  const deadline = Date.now() + maxMs;
  while (Date.now() < deadline) {
    const text = await (await fetch(`${baseUrl}/metrics`)).text();
    const value = (name: string): number => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? '0');
    if (value('gatehouse_hash_in_flight') === 0 && value('gatehouse_hash_queue_depth') === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
