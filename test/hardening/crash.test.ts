import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { childProcessEnv, freshPostgresDatabase, onPostgres } from '../helpers/app.ts';

// kill -9 under registration load, then restart on the same storage: no account that got a 2xx is lost.

const PASSWORD = 'crash-safe-pass-42';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

function serverEnv(port: number, storage: Record<string, string>): NodeJS.ProcessEnv {
  return childProcessEnv({ PORT: String(port), ...storage });
}

async function start(port: number, storage: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'start'], {
    env: serverEnv(port, storage),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited ${child.exitCode}: ${stderr}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return child;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`server did not start: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

async function crashAndRecover(storage: Record<string, string>): Promise<{ confirmed: number; attempted: number }> {
  const port = await freePort();
  const first = await start(port, storage);
  const confirmed: string[] = [];
  let attempted = 0;
  const stopAt = Date.now() + 2000;
  const worker = async (w: number): Promise<void> => {
    for (let i = 0; Date.now() < stopAt; i++) {
      const email = `crash.${w}.${i}.${process.pid}@example.com`;
      attempted += 1;
      try {
        const r = await fetch(`http://127.0.0.1:${port}/v1/auth/register`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'Crash Test', email, password: PASSWORD, password_confirmation: PASSWORD }),
        });
        if (r.status >= 200 && r.status < 300) confirmed.push(email);
        else assert.ok(r.status < 500, `5xx under load: ${r.status} ${await r.text()}`);
      } catch {
        // the connection died with the process
      }
    }
  };
  const load = Promise.all(Array.from({ length: 8 }, (_, w) => worker(w)));
  await new Promise((resolve) => setTimeout(resolve, 1500));
  await killed(first);
  await load;
  const second = await start(port, storage);
  try {
    for (const email of confirmed) {
      const r = await fetch(`http://127.0.0.1:${port}/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: PASSWORD }),
      });
      assert.equal(r.status, 200, `lost account ${email}: ${await r.text()}`);
    }
  } finally {
    await killed(second);
  }
  return { confirmed: confirmed.length, attempted };
}

describe('crash safety', () => {
  it('kill -9 under registration load on the embedded database: every confirmed registration logs in after restart (stale lock taken over)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-crash-'));
    try {
      const { confirmed } = await crashAndRecover({ GATEHOUSE_DATA_DIR: dataDir });
      assert.ok(confirmed > 0, 'some registrations were confirmed before the kill');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('kill -9 under registration load on PostgreSQL: every confirmed registration logs in after restart', {
    skip: onPostgres() ? false : 'needs DATABASE_URL',
  }, async () => {
    const fresh = await freshPostgresDatabase();
    try {
      const { confirmed } = await crashAndRecover({ DATABASE_URL: fresh.url });
      assert.ok(confirmed > 0);
    } finally {
      await fresh.drop();
    }
  });

  it('an unusable data directory (a regular file, under a file, read-only, a full disk) → one clear line, non-zero exit, nothing half-written', () => {
    const root = mkdtempSync(join(tmpdir(), 'gatehouse-bad-'));
    const file = join(root, 'not-a-dir');
    writeFileSync(file, 'x');
    const cases: Array<[string, RegExp]> = [
      [file, /is not a directory/],
      [join(file, 'sub'), /regular file/],
    ];
    // Root ignores permission bits: a read-only mount is the honest test, where the container allows one.
    const ro = join(root, 'ro');
    mkdirSync(ro);
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro', 'tmpfs', ro]).status === 0;
    if (mounted) cases.push([ro, /read-only/]);
    // A disk too small for a new database: initdb runs out of space half-way.
    const full = join(root, 'full');
    mkdirSync(full);
    const fullMounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', full]).status === 0;
    if (fullMounted) cases.push([join(full, 'data'), /disk is full/]);
    try {
      for (const [dir, why] of cases) {
        const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'start'], {
          env: serverEnv(0, { GATEHOUSE_DATA_DIR: dir }),
          encoding: 'utf8',
          timeout: 30_000,
        });
        assert.notEqual(r.status, 0, dir);
        const lines = r.stderr.trim().split('\n');
        assert.equal(lines.length, 1, `one line for ${dir}: ${r.stderr}`);
        assert.match(lines[0] ?? '', why);
        assert.doesNotMatch(r.stderr, /\n\s+at /);
      }
      // The half-written database was removed: the next start begins afresh.
      if (fullMounted) assert.deepEqual(readdirSync(join(full, 'data')), []);
    } finally {
      if (mounted) spawnSync('umount', [ro]);
      if (fullMounted) spawnSync('umount', [full]);
      rmSync(root, { recursive: true, force: true });
    }
  });
});
