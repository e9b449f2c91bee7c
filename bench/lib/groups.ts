import { randomBytes } from 'node:crypto';
import { ticks, type CpuTargets } from './cpu.ts';
import type { Databases } from './databases.ts';
import { ovokRegister, type OvokTokens } from './gatehouse.ts';
import { hashIdle, loginBody, type GatehouseUnderTest } from './gatehouse-setup.ts';
import { runInterleaved, type Arm, type ArmLoad, type GroupResult } from './interleave.ts';
import { hashLimitSegment, type Service } from './limits.ts';
import { runLoad, type LoadChild } from './load.ts';
import { GET_SESSION, SIGN_IN, SIGN_UP, type Peer } from './peer.ts';
import { SEED_PASSWORD } from './seed.ts';
import type { Settings } from './settings.ts';

export const LOGIN = '/v2/auth/login';
export const REGISTER = '/auth/register';
const PROBE_RATE = 50;

/** Everything the groups measure, started once for the whole bench. */
export interface Fixture {
  readonly settings: Settings;
  readonly databases: Databases;
  readonly gatehouse: GatehouseUnderTest;
  readonly limit: Service;
  readonly loadChild: LoadChild;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until a process has used at most one tick (10 ms) of CPU in 200 ms, at most `maxMs`: the
 * requests it was still working on when a segment ended are done. better-auth has no queue to look
 * at, and on a slow machine its last hashes outlast a fixed pause and ran into the next arm's segment.
 */
async function cpuIdle(pid: number, maxMs = 10_000): Promise<void> {
  const deadline = Date.now() + maxMs;
  let last = ticks(`/proc/${pid}/stat`) ?? 0;
  while (Date.now() < deadline) {
    await sleep(200);
    const now = ticks(`/proc/${pid}/stat`) ?? 0;
    if (now - last <= 1) return;
    last = now;
  }
}

/** PostgreSQL processes of a database, looked up at most every 15 s (a query per segment would add load). */
function databasePids(databases: Databases, label: string): () => Promise<number[]> {
  let cached: { at: number; pids: number[] } | undefined;
  return async () => {
    if (cached === undefined || Date.now() - cached.at > 15_000) cached = { at: Date.now(), pids: await databases.serverPids(label) };
    return cached.pids;
  };
}

function serverCpu(databases: Databases, label: string, pid: () => number): () => Promise<CpuTargets> {
  const pids = databasePids(databases, label);
  return async () => ({ server: pid(), database: await pids() });
}

export function hashLimitArm(fixture: Fixture, kind: 'argon2id' | 'scrypt' = 'argon2id'): Arm {
  return {
    id: kind === 'argon2id' ? 'hash-limit' : 'scrypt-limit',
    title:
      kind === 'argon2id'
        ? 'argon2id verify limit (m=19456, t=2, p=1), one loop per core'
        : 'scrypt limit (N=16384, r=16, p=1), one loop per core',
    cpu: async () => ({ server: fixture.limit.child.pid }),
    run: (seconds) => hashLimitSegment(fixture.limit, seconds, kind),
  };
}

export function gatehouseLoginArm(
  fixture: Fixture,
  gatehouse: GatehouseUnderTest,
  id: string,
  connections = fixture.settings.hashConnections,
): Arm {
  const { baseUrl } = gatehouse.server;
  return {
    id,
    title: `Gatehouse sign-in POST ${LOGIN} (${gatehouse.users} users, ${connections} connections)`,
    cpu: serverCpu(fixture.databases, gatehouse.label, () => gatehouse.server.child.pid),
    // A random stored user per request, so the email lookup really searches the whole table.
    run: (seconds) =>
      runLoad({
        baseUrl,
        method: 'POST',
        path: LOGIN,
        connections,
        durationSeconds: seconds,
        prepare: () => ({ body: loginBody(gatehouse.clientId, 1 + Math.floor(Math.random() * gatehouse.seeded)) }),
      }),
    settle: () => hashIdle(baseUrl),
  };
}

export function gatehouseRegisterArm(fixture: Fixture): Arm {
  const { gatehouse, settings } = fixture;
  const { baseUrl } = gatehouse.server;
  const run = randomBytes(4).toString('hex');
  let next = 0;
  return {
    id: 'gh-sign-up',
    title: `Gatehouse sign-up POST ${REGISTER} (new email each, ${settings.hashConnections} connections)`,
    cpu: serverCpu(fixture.databases, gatehouse.label, () => gatehouse.server.child.pid),
    run: (seconds) =>
      runLoad({
        baseUrl,
        method: 'POST',
        path: REGISTER,
        connections: settings.hashConnections,
        durationSeconds: seconds,
        prepare: () => {
          next += 1;
          return {
            body: JSON.stringify({
              email: `reg-${run}-${next}@bench.test`,
              password: SEED_PASSWORD,
              clientId: gatehouse.clientId,
              name: 'Bench',
              surname: `User ${next}`,
            }),
          };
        },
      }),
    settle: () => hashIdle(baseUrl),
  };
}

export function peerSignInArm(fixture: Fixture, peer: Peer): Arm {
  return {
    id: `ba-${peer.hash}-sign-in`,
    title: `better-auth (${peer.hash}) sign-in POST ${SIGN_IN} (${fixture.settings.hashConnections} connections)`,
    cpu: serverCpu(fixture.databases, peer.label, () => peer.child.pid),
    run: (seconds) =>
      runLoad({
        baseUrl: peer.baseUrl,
        method: 'POST',
        path: SIGN_IN,
        connections: fixture.settings.hashConnections,
        durationSeconds: seconds,
        prepare: () => ({
          body: JSON.stringify({ email: peer.emails[Math.floor(Math.random() * peer.emails.length)], password: SEED_PASSWORD }),
        }),
      }),
    settle: () => cpuIdle(peer.child.pid),
  };
}

export function peerSignUpArm(fixture: Fixture, peer: Peer): Arm {
  const run = randomBytes(4).toString('hex');
  let next = 0;
  return {
    id: `ba-${peer.hash}-sign-up`,
    title: `better-auth (${peer.hash}) sign-up POST ${SIGN_UP} (new email each, ${fixture.settings.hashConnections} connections)`,
    cpu: serverCpu(fixture.databases, peer.label, () => peer.child.pid),
    run: (seconds) =>
      runLoad({
        baseUrl: peer.baseUrl,
        method: 'POST',
        path: SIGN_UP,
        connections: fixture.settings.hashConnections,
        durationSeconds: seconds,
        prepare: () => {
          next += 1;
          return { body: JSON.stringify({ email: `ba-up-${run}-${next}@bench.test`, password: SEED_PASSWORD, name: 'Bench User' }) };
        },
      }),
    settle: () => cpuIdle(peer.child.pid),
  };
}

/** GET /auth/me with a bearer token, cycling through distinct users' sessions. */
export function gatehouseReadArm(fixture: Fixture, gatehouse: GatehouseUnderTest, tokens: readonly OvokTokens[], id: string): Arm {
  const headers = tokens.map((t) => `Bearer ${t.accessToken}`);
  let turn = 0;
  return {
    id,
    title: `Gatehouse GET /auth/me (${gatehouse.users} users, ${headers.length} sessions, ${fixture.settings.readConnections} connections)`,
    cpu: serverCpu(fixture.databases, gatehouse.label, () => gatehouse.server.child.pid),
    run: (seconds) =>
      runLoad({
        baseUrl: gatehouse.server.baseUrl,
        method: 'GET',
        path: '/auth/me',
        connections: fixture.settings.readConnections,
        durationSeconds: seconds,
        prepare: () => {
          turn = (turn + 1) % headers.length;
          return { headers: { authorization: headers[turn] ?? '' } };
        },
      }),
  };
}

export function floorArm(fixture: Fixture, floor: Service, bodyBytes: number): Arm {
  return {
    id: 'floor',
    title: `bare Fastify route, ${bodyBytes}-byte JSON body (${fixture.settings.readConnections} connections)`,
    cpu: async () => ({ server: floor.child.pid }),
    run: (seconds) =>
      runLoad({
        baseUrl: floor.baseUrl,
        method: 'GET',
        path: '/floor',
        headers: { authorization: 'Bearer x' },
        connections: fixture.settings.readConnections,
        durationSeconds: seconds,
      }),
  };
}

export function peerReadArm(fixture: Fixture, peer: Peer): Arm {
  let turn = 0;
  return {
    id: `ba-${peer.hash}-get-session`,
    title: `better-auth GET ${GET_SESSION} (${peer.cookies.length} sessions, ${fixture.settings.readConnections} connections)`,
    cpu: serverCpu(fixture.databases, peer.label, () => peer.child.pid),
    run: (seconds) =>
      runLoad({
        baseUrl: peer.baseUrl,
        method: 'GET',
        path: GET_SESSION,
        connections: fixture.settings.readConnections,
        durationSeconds: seconds,
        prepare: () => {
          turn = (turn + 1) % peer.cookies.length;
          return { headers: { cookie: peer.cookies[turn] ?? '' } };
        },
      }),
  };
}

/**
 * `clients` concurrent sign-in clients (from the load-generator child), while this process probes
 * /healthz and /auth/me at 50 requests per second each. The probe user is one the sign-ins never
 * use, so its /auth/me answer keeps its size.
 */
export async function concurrencyArms(fixture: Fixture, levels: readonly number[]): Promise<Arm[]> {
  const { gatehouse, loadChild, databases } = fixture;
  const { baseUrl } = gatehouse.server;
  const probe = await ovokRegister(baseUrl, gatehouse.clientId, `probe-${randomBytes(4).toString('hex')}@bench.test`, SEED_PASSWORD);
  const bodies = Array.from({ length: gatehouse.seeded }, (_, i) => loginBody(gatehouse.clientId, i + 1));
  const pids = databasePids(databases, gatehouse.label);
  return levels.map((clients) => ({
    id: `sign-in-${clients}`,
    title: `Gatehouse sign-in, ${clients} concurrent clients, with /healthz and /auth/me probes`,
    cpu: async () => ({
      server: gatehouse.server.child.pid,
      database: await pids(),
      generators: loadChild.pid === undefined ? [] : [loadChild.pid],
    }),
    run: async (seconds): Promise<ArmLoad> => {
      const probeSpec = { baseUrl, method: 'GET' as const, connections: 5, durationSeconds: seconds, overallRate: PROBE_RATE };
      const [logins, healthz, me] = await Promise.all([
        loadChild.run({
          baseUrl,
          method: 'POST',
          path: LOGIN,
          connections: clients,
          durationSeconds: seconds,
          bodies,
          pick: 'random',
          checkRetryAfter: true,
        }),
        runLoad({ ...probeSpec, path: '/healthz' }),
        runLoad({ ...probeSpec, path: '/auth/me', headers: { authorization: `Bearer ${probe.accessToken}` } }),
      ]);
      return { ...logins, probes: { healthz, me } };
    },
    settle: () => hashIdle(baseUrl, 5000),
  }));
}

export async function group(
  id: string,
  title: string,
  fixture: Fixture,
  arms: readonly Arm[],
  segmentSeconds = fixture.settings.segmentSeconds,
): Promise<GroupResult> {
  return runInterleaved({ id, title, arms, rounds: fixture.settings.rounds, segmentSeconds, warmupSeconds: 1 });
}
