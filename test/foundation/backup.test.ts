import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readManifest } from '../../src/db/backup.ts';
import { ADMIN_TOKEN, childProcessEnv, createTestApp, json, onPostgres } from '../helpers/app.ts';

const PASSWORD = 'backup-safe-pass-42';
/** How long a start or a CLI command may take: generous, for a machine shared with other test runs. */
const PATIENCE_MS = 180_000;
const root = mkdtempSync(join(tmpdir(), 'gatehouse-backup-'));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function env(extra: Record<string, string>): NodeJS.ProcessEnv {
  return childProcessEnv({ GATEHOUSE_ADMIN_TOKEN: ADMIN_TOKEN, ...extra });
}

function cli(args: string[], extra: Record<string, string>) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    env: env(extra),
    encoding: 'utf8',
    timeout: PATIENCE_MS,
  });
}

async function start(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'start'], {
    env: env({ GATEHOUSE_DATA_DIR: dataDir, PORT: String(port) }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + PATIENCE_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited ${child.exitCode}: ${stderr}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return { child, url };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      // A child left running would keep this test file from ever exiting.
      child.kill('SIGKILL');
      throw new Error(`server did not start: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Waits (up to PATIENCE_MS) until `check` holds: a load reaching a size, not a time. */
async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + PATIENCE_MS;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

async function register(url: string, email: string): Promise<number> {
  const response = await fetch(`${url}/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Backup Test', email, password: PASSWORD, password_confirmation: PASSWORD }),
  });
  await response.arrayBuffer();
  return response.status;
}

async function signsIn(url: string, email: string): Promise<boolean> {
  const response = await fetch(`${url}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  await response.arrayBuffer();
  return response.status === 200;
}

describe('backup and restore of the embedded database', () => {
  after(() => rmSync(root, { recursive: true, force: true }));

  it('a backup taken during a registration load, restored into a new directory, holds every registration acknowledged before it began, and they sign in', async () => {
    const source = join(root, 'source');
    const archive = join(root, 'online.tar.gz');
    const server = await start(source);
    const acknowledged: Array<{ email: string; at: number }> = [];
    const statuses = new Set<number>();
    let running = true;
    const worker = async (w: number): Promise<void> => {
      for (let i = 0; running; i++) {
        const email = `backup.${w}.${i}@example.com`;
        const status = await register(server.url, email);
        statuses.add(status);
        if (status === 201 || status === 200) acknowledged.push({ email, at: performance.now() });
      }
    };
    try {
      const load = Promise.all(Array.from({ length: 6 }, (_, w) => worker(w)));
      await until(() => acknowledged.length >= 30, '30 registrations');
      const began = performance.now();
      const response = await fetch(`${server.url}/admin/backup`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), 'application/gzip');
      assert.match(response.headers.get('content-disposition') ?? '', /^attachment; filename="gatehouse-backup-.+\.tar\.gz"$/);
      writeFileSync(archive, Buffer.from(await response.arrayBuffer()));
      // The load goes on after the backup: the server kept serving through it.
      const countAtEnd = acknowledged.length;
      await until(() => acknowledged.length >= countAtEnd + 10, 'registrations after the backup');
      running = false;
      await load;
      assert.deepEqual(
        [...statuses].filter((status) => status >= 500),
        [],
        'no 5xx during the backup',
      );
      const before = acknowledged.filter((entry) => entry.at < began);
      assert.ok(before.length >= 30, `registrations before the backup: ${before.length}`);
      assert.equal((await readManifest(archive)).format, 'gatehouse-backup');

      // The archive holds the database only: a restore never brings the source's lock along.
      const target = join(root, 'restored');
      const restored = cli(['restore', archive, '--data-dir', target], {});
      assert.equal(restored.status, 0, restored.stderr);
      assert.match(restored.stdout, /Restored the backup taken at/);
      const refused = cli(['restore', archive, '--data-dir', source], {});
      assert.equal(refused.status, 1, "a live server's directory is refused");
      assert.match(refused.stderr, /already open in process/);
      await stop(server.child);
      const notEmpty = cli(['restore', archive, '--data-dir', source], {});
      assert.equal(notEmpty.status, 1);
      assert.match(notEmpty.stderr, /is not empty: restore into a new directory, or add --force/);

      const copy = await start(target);
      try {
        const missing: string[] = [];
        for (const { email } of before) if (!(await signsIn(copy.url, email))) missing.push(email);
        assert.deepEqual(missing, [], 'every registration acknowledged before the backup began signs in');

        // The CLI: against a running server it explains the way through the admin API, and takes it.
        const held = cli(['backup', join(root, 'held.tar.gz')], { GATEHOUSE_DATA_DIR: target });
        assert.equal(held.status, 1);
        assert.match(held.stderr, /already open in process .* set GATEHOUSE_URL/);
        const remote = cli(['backup', join(root, 'remote.tar.gz')], { GATEHOUSE_DATA_DIR: target, GATEHOUSE_URL: copy.url });
        assert.equal(remote.status, 0, remote.stderr);
        assert.equal((await readManifest(join(root, 'remote.tar.gz'))).version, 1);
      } finally {
        await stop(copy.child);
      }
      // With no server running, the CLI backs the directory up itself; --force replaces a directory's contents.
      const offline = cli(['backup', join(root, 'offline.tar.gz')], { GATEHOUSE_DATA_DIR: target });
      assert.equal(offline.status, 0, offline.stderr);
      assert.equal((await readManifest(join(root, 'offline.tar.gz'))).format, 'gatehouse-backup');
      writeFileSync(join(source, 'left-over'), 'x');
      const forced = cli(['restore', join(root, 'offline.tar.gz'), '--data-dir', source, '--force'], {});
      assert.equal(forced.status, 0, forced.stderr);
      assert.equal(existsSync(join(source, 'left-over')), false, 'the old contents were replaced');
      assert.ok(existsSync(join(source, 'PG_VERSION')));
    } finally {
      running = false;
      await stop(server.child);
    }
  });

  it('refuses a file that is not a Gatehouse backup, and a data directory without a database, creating nothing', () => {
    const bogus = join(root, 'bogus.tar.gz');
    writeFileSync(bogus, 'not an archive');
    const result = cli(['restore', bogus, '--data-dir', join(root, 'never')], {});
    assert.equal(result.status, 1);
    assert.match(result.stderr, /is not a Gatehouse backup/);
    assert.equal(existsSync(join(root, 'never')), false);
    // A mistyped data directory is not a new, empty database to back up.
    const nothing = cli(['backup', join(root, 'nothing.tar.gz')], { GATEHOUSE_DATA_DIR: join(root, 'nothing-here') });
    assert.equal(nothing.status, 1);
    assert.match(nothing.stderr, /holds no Gatehouse database/);
    assert.equal(existsSync(join(root, 'nothing-here')), false);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  });

  it('without an embedded database on disk, POST /admin/backup answers 409 naming the way (pg_dump on PostgreSQL)', async () => {
    const t = await createTestApp();
    try {
      const response = await t.app.inject({ method: 'POST', url: '/admin/backup', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      assert.equal(response.statusCode, 409);
      assert.match(json<{ message: string }>(response).message, onPostgres() ? /pg_dump/ : /in-memory/);
      const unauthenticated = await t.app.inject({ method: 'POST', url: '/admin/backup' });
      assert.equal(unauthenticated.statusCode, 401);
    } finally {
      await t.close();
    }
    if (onPostgres()) {
      const result = cli(['backup', join(root, 'pg.tar.gz')], { DATABASE_URL: process.env.DATABASE_URL ?? '' });
      assert.equal(result.status, 1);
      assert.match(result.stderr, /pg_dump/);
    }
  });
});
