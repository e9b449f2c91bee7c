/**
 * `npm run bench`: Gatehouse against the machine's limits and against better-auth, as ratios from
 * interleaved runs: in each run the arms (two servers, or a scenario and its floor) take turns in
 * short segments, and every ratio is taken within a round. See BENCHMARKS.md.
 */
import { execFileSync } from 'node:child_process';

// `npm run bench -- --only import`: the import scenario, kept in its own file (bench/import.ts).
if (process.argv.slice(2).join(' ').includes('--only import')) {
  await import('./import.ts');
  process.exit(0);
}
import { Databases } from './lib/databases.ts';
import { prepareGatehouse, sessionsOf, type GatehouseUnderTest } from './lib/gatehouse-setup.ts';
import {
  concurrencyArms,
  floorArm,
  gatehouseLoginArm,
  gatehouseReadArm,
  gatehouseRegisterArm,
  group,
  hashLimitArm,
  peerReadArm,
  peerSignInArm,
  peerSignUpArm,
  type Fixture,
} from './lib/groups.ts';
import type { GroupResult } from './lib/interleave.ts';
import { startFloor, startHashLimit, type Service } from './lib/limits.ts';
import { LoadChild } from './lib/load.ts';
import { startPeer, type Peer } from './lib/peer.ts';
import { REPO_ROOT } from './lib/proc.ts';
import { renderTables, writeJson, type MemoryFigures, type Report } from './lib/report.ts';
import { RssSampler, currentRssMb, wasmResidentMb } from './lib/rss.ts';
import { log } from './lib/scenario.ts';
import { loadAverage, machine, readSettings, runs } from './lib/settings.ts';
import { ratioRows, shedChecks } from './lib/targets.ts';

const started = Date.now();
const loadAtStart = loadAverage();
// Gatehouse runs as `npm start` runs it: the production bundle, built from the current sources.
execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO_ROOT, stdio: 'inherit' });

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable)';
  }
}

const settings = readSettings();
const databases = new Databases(settings.databaseUrl);
const stops: Array<() => Promise<void>> = [];
const stopAll = async (): Promise<void> => {
  for (const stop of stops.reverse()) await stop().catch((error: unknown) => log(`stopping: ${String(error)}`));
  stops.length = 0;
  await databases.dropAll();
};
const onSignal = (signal: NodeJS.Signals): void => {
  log(`${signal}: stopping`);
  void stopAll().finally(() => process.exit(130));
};
process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);

log(
  `${settings.rounds} rounds of ${settings.segmentSeconds} s segments, ${settings.cores} cores, database ${databases.kind}, large run ${settings.largeUsers || 'off'}, load average ${loadAtStart}`,
);

const groups = new Map<string, GroupResult>();
const rssByGroup: Record<string, number> = {};
let memory: MemoryFigures | undefined;
const notes: string[] = [];
try {
  const limit: Service = await startHashLimit();
  stops.push(() => limit.child.stop());
  const loadChild = LoadChild.start();
  stops.push(() => loadChild.stop());
  const gatehouse = await prepareGatehouse(databases, 'gatehouse', settings.smallUsers, settings.cpuProfDir);
  stops.push(() => gatehouse.stop());
  const fixture: Fixture = { settings, databases, gatehouse, limit, loadChild };
  const lifetime = new RssSampler(gatehouse.server.child.pid).start();
  let peak = { mb: 0, during: '-' };
  const measured = async (id: string, run: () => Promise<GroupResult>): Promise<void> => {
    const rss = new RssSampler(gatehouse.server.child.pid).start();
    try {
      groups.set(id, await run());
    } catch (error) {
      log(`${id}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
    rssByGroup[id] = rss.stop();
    if ((rssByGroup[id] ?? 0) > peak.mb) peak = { mb: rssByGroup[id] ?? 0, during: id };
  };

  let peer: Peer | undefined;
  const needPeer = runs(settings, 'hash') || runs(settings, 'read');
  if (needPeer) {
    log('starting better-auth with argon2id (equal hash cost)');
    peer = await startPeer('argon2id', databases, settings.readSessions);
    const started = peer;
    stops.push(() => started.stop());
  }

  if (runs(settings, 'hash') && peer !== undefined) {
    const arms = [
      hashLimitArm(fixture),
      gatehouseLoginArm(fixture, gatehouse, 'gh-sign-in'),
      peerSignInArm(fixture, peer),
      gatehouseRegisterArm(fixture),
      peerSignUpArm(fixture, peer),
    ];
    await measured('hash', () => group('hash', 'sign-in and sign-up at equal hash cost', fixture, arms));
  }

  let tokens = runs(settings, 'read') || runs(settings, 'large') ? await sessionsOf(gatehouse, settings.readSessions) : [];
  if (runs(settings, 'read') && peer !== undefined) {
    // The floor answers as many bytes of body as /auth/me does, on average over the sessions read.
    const sizes = await Promise.all(
      tokens
        .slice(0, 20)
        .map(
          async (t) =>
            (
              await (
                await fetch(`${gatehouse.server.baseUrl}/auth/me`, { headers: { authorization: `Bearer ${t.accessToken}` } })
              ).arrayBuffer()
            ).byteLength,
        ),
    );
    const bodyBytes = Math.round(sizes.reduce((a, b) => a + b, 0) / Math.max(1, sizes.length));
    const floor = await startFloor(bodyBytes);
    stops.push(() => floor.child.stop());
    const arms = [gatehouseReadArm(fixture, gatehouse, tokens, 'gh-me'), floorArm(fixture, floor, bodyBytes), peerReadArm(fixture, peer)];
    await measured('read', () => group('read', 'authenticated reads', fixture, arms));
    await floor.child.stop();
  }
  if (peer !== undefined) await peer.stop();

  if (runs(settings, 'shed')) {
    const arms = await concurrencyArms(fixture, settings.concurrencyLevels);
    await measured('shed', () =>
      group('shed', 'sign-in at 20, 50 and 500 concurrent clients', fixture, arms, Math.max(3, settings.segmentSeconds)),
    );
  }

  if (runs(settings, 'choices')) {
    log('starting better-auth with its default scrypt (comparison of hash choices)');
    const scryptPeer = await startPeer('scrypt', databases, 16);
    stops.push(() => scryptPeer.stop());
    // Sign-in only, in 3 s segments: at ~10 scrypt hashes per second, 8 connections need a few seconds to say anything.
    const arms = [
      hashLimitArm(fixture),
      hashLimitArm(fixture, 'scrypt'),
      gatehouseLoginArm(fixture, gatehouse, 'gh-sign-in'),
      peerSignInArm(fixture, scryptPeer),
    ];
    await measured('choices', () =>
      group(
        'choices',
        'comparison of hash choices: each server with its default hash',
        fixture,
        arms,
        Math.max(3, settings.segmentSeconds),
      ),
    );
    await scryptPeer.stop();
  }

  let large: GatehouseUnderTest | undefined;
  if (runs(settings, 'large') && settings.largeUsers > settings.smallUsers) {
    large = await prepareGatehouse(databases, 'gatehouse_large', settings.largeUsers, settings.cpuProfDir);
    const started = large;
    stops.push(() => started.stop());
    const largeRss = new RssSampler(large.server.child.pid).start();
    if (tokens.length < settings.readSessions) tokens = await sessionsOf(gatehouse, settings.readSessions);
    const largeTokens = await sessionsOf(large, settings.readSessions);
    const arms = [
      gatehouseLoginArm(fixture, gatehouse, 'gh-sign-in'),
      gatehouseLoginArm(fixture, large, 'gh-1m-sign-in'),
      gatehouseReadArm(fixture, gatehouse, tokens, 'gh-me'),
      gatehouseReadArm(fixture, large, largeTokens, 'gh-1m-me'),
    ];
    await measured('large', () => group('large', `${settings.smallUsers} vs ${large?.users} stored users`, fixture, arms));
    memory = { peakRssMb: 0, peakDuring: '-', byGroup: {}, largePeakRssMb: largeRss.stop() };
    await large.stop();
  }

  const rssAtEndMb = currentRssMb(gatehouse.server.child.pid);
  memory = {
    ...memory,
    peakRssMb: Math.max(lifetime.stop(), peak.mb),
    peakDuring: peak.during,
    byGroup: rssByGroup,
    ...(databases.kind === 'pglite' && { wasmResidentMb: wasmResidentMb(gatehouse.server.child.pid), rssAtEndMb }),
  };
} catch (error) {
  log(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
} finally {
  await stopAll();
}

notes.push(
  databases.kind === 'pglite'
    ? 'Database: embedded PGlite on disk for Gatehouse and for better-auth (through a Kysely dialect).'
    : 'Database: PostgreSQL from DATABASE_URL, a fresh database per server, dropped after the run; its backends count as "db" CPU.',
);
notes.push(
  "Peer ratios are at equal hash cost: better-auth runs argon2id m=19456, t=2, p=1 (@node-rs/argon2 on libuv's thread pool) through its emailAndPassword.password hooks.",
);
notes.push(
  'The HASH CHOICES rows compare each server with its own default hash (better-auth: scrypt N=16384, r=16): they measure the choice of hash, not the servers.',
);
notes.push('Rate limits are off in both servers (all load comes from 127.0.0.1); Gatehouse brute-force protection stays on.');
const loadAtEnd = loadAverage();
if (loadAtStart > 0.5 || loadAtEnd > 0.5)
  notes.push(
    `The machine was shared: 1-minute load average ${loadAtStart} at the start, ${loadAtEnd} at the end (the bench alone adds about 2).`,
  );

const report: Report = {
  startedAt: new Date(started).toISOString(),
  elapsedSeconds: Math.round((Date.now() - started) / 1000),
  machine: machine(loadAtStart),
  // A DATABASE_URL may carry a password; the JSON file is meant to be shared.
  settings: { ...settings, databaseUrl: settings.databaseUrl === undefined ? undefined : redact(settings.databaseUrl) },
  database: databases.kind,
  groups: [...groups.values()],
  ratios: ratioRows(groups),
  checks: shedChecks(groups, settings.concurrencyLevels),
  memory,
  notes,
};
writeJson(`${REPO_ROOT}bench/results/latest.json`, report);
process.stdout.write(`\n${renderTables(report)}\n${notes.map((n) => `- ${n}`).join('\n')}\n`);
log(`done in ${report.elapsedSeconds} s; JSON in bench/results/latest.json`);
