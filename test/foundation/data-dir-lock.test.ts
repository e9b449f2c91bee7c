import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DataDirLockedError, lockDataDir } from '../../src/db/lock.ts';
import { bootId } from '../../src/db/lock-owner.ts';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-lock-'));
  dirs.push(dir);
  return dir;
}

function startTimeOf(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const value = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  assert.ok(value !== undefined);
  return value;
}

function writeRecord(dir: string, record: Record<string, unknown> | string): void {
  writeFileSync(join(dir, 'gatehouse.pid'), typeof record === 'string' ? record : JSON.stringify(record));
}

/** Takes the lock and gives it back; fails the test if the directory is refused. */
async function takesOver(dir: string): Promise<void> {
  const release = await lockDataDir(dir);
  const owner = JSON.parse(readFileSync(join(dir, 'gatehouse.pid'), 'utf8')) as { pid: number };
  assert.equal(owner.pid, process.pid, 'the lock file now names this process');
  release();
  assert.equal(existsSync(join(dir, 'gatehouse.pid')), false, 'released on close');
}

async function refused(dir: string, pid: number): Promise<void> {
  await assert.rejects(lockDataDir(dir), (error: unknown) => error instanceof DataDirLockedError && error.pid === pid);
}

/** A live process that is not Gatehouse (what a reused pid points at). */
function unrelatedProcess(): ChildProcess & { pid: number } {
  const child = spawn('sleep', ['60'], { stdio: 'ignore' });
  assert.ok(child.pid !== undefined);
  return child as ChildProcess & { pid: number };
}

const cli = ['--import', 'tsx', 'src/cli/main.ts'];
function serverEnv(dataDir: string, port: number): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATABASE_URL: '',
    REDIS_URL: '',
    GATEHOUSE_DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    ARGON2_MEMORY_KIB: '256',
    ARGON2_ITERATIONS: '1',
  };
}

async function startServer(dataDir: string): Promise<{ child: ChildProcess; port: number }> {
  const port = await new Promise<number>((resolve) => {
    const probe = createNetServer().listen(0, '127.0.0.1', () => {
      const { port: free } = probe.address() as { port: number };
      probe.close(() => resolve(free));
    });
  });
  const child = spawn(process.execPath, [...cli, 'start'], { env: serverEnv(dataDir, port), stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // Generous: a first start creates the database, on a machine shared with other test runs.
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited ${child.exitCode}: ${stderr}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return { child, port };
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

function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

describe('the embedded data-directory lock', { skip: existsSync('/proc/self/stat') ? false : 'needs /proc' }, () => {
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('a record naming our own pid (a container restarted with the same pid) is taken over at once, in the new and the old format', async () => {
    const dir = tempDir();
    writeRecord(dir, { pid: process.pid, bootId: bootId(), startTime: startTimeOf(process.pid) });
    await takesOver(dir);
    writeRecord(dir, String(process.pid));
    await takesOver(dir);
  });

  it('while this process holds the directory, a second open in the same process is still refused', async () => {
    const dir = tempDir();
    const release = await lockDataDir(dir);
    try {
      await refused(dir, process.pid);
    } finally {
      release();
    }
  });

  it('a pid now used by another program (other start time, or another boot) is taken over; the same program with its own start time is not', async () => {
    const other = unrelatedProcess();
    try {
      const dir = tempDir();
      const startTime = startTimeOf(other.pid);
      writeRecord(dir, { pid: other.pid, bootId: bootId(), startTime: String(Number(startTime) - 1) });
      await takesOver(dir);
      writeRecord(dir, { pid: other.pid, bootId: '00000000-0000-0000-0000-000000000000', startTime });
      await takesOver(dir);
      // The record matches that live process exactly: it is the owner, so the directory is refused.
      writeRecord(dir, { pid: other.pid, bootId: bootId(), startTime });
      await refused(dir, other.pid);
    } finally {
      await killed(other);
    }
  });

  it('a killed owner not yet reaped by its parent (a zombie) is dead', async () => {
    // `sh` execs into a sleep that never waits for its children: the backgrounded one stays a zombie.
    const parent = spawn('sh', ['-c', 'sleep 0.05 & echo $!; exec sleep 60'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const pid = Number(await new Promise<string>((resolve) => parent.stdout?.once('data', (chunk: Buffer) => resolve(chunk.toString()))));
      const startTime = startTimeOf(pid);
      for (let i = 0; i < 100 && !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8')); i++)
        await new Promise((resolve) => setTimeout(resolve, 20));
      assert.match(readFileSync(`/proc/${pid}/stat`, 'utf8'), /\) Z /, 'the child is a zombie');
      const dir = tempDir();
      writeRecord(dir, { pid, bootId: bootId(), startTime });
      await takesOver(dir);
    } finally {
      await killed(parent);
    }
  });

  it('an owner whose pid is not visible here (another pid namespace) but whose socket answers is alive; once its socket stops answering it is dead', async () => {
    const dir = tempDir();
    const name = '.gatehouse-0123abcd.sock';
    const server: Server = await new Promise((resolve) => {
      const listening = createNetServer((socket) => socket.destroy()).listen(join(dir, name), () => resolve(listening));
    });
    const hidden = 4_194_000; // above any pid this machine hands out
    try {
      writeRecord(dir, { pid: hidden, bootId: bootId(), startTime: '1', socket: name });
      await refused(dir, hidden);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    // What a crash leaves: the socket file, with nothing accepting on it (the owner was killed -9).
    rmSync(join(dir, name), { force: true });
    spawnSync(process.execPath, [
      '-e',
      `require('net').createServer().listen(${JSON.stringify(join(dir, name))}, () => process.kill(process.pid, 'SIGKILL'))`,
    ]);
    assert.ok(existsSync(join(dir, name)), 'the dead owner left its socket file');
    writeRecord(dir, { pid: process.pid + 1_000_000, bootId: bootId(), startTime: '1', socket: name });
    await takesOver(dir);
    assert.deepEqual(
      readdirSync(dir).filter((file) => file.startsWith('.gatehouse-') || file.startsWith('gatehouse.pid')),
      [],
      'the stale socket and lock files are gone',
    );
  });

  it("a real second server on a live server's directory is refused at once; after kill -9 the next start takes it over at once", async () => {
    const dir = tempDir();
    const first = await startServer(dir);
    try {
      const second = spawnSync(process.execPath, [...cli, 'start'], { env: serverEnv(dir, 0), encoding: 'utf8', timeout: 180_000 });
      assert.equal(second.status, 1, second.stderr);
      assert.match(second.stderr, new RegExp(`already open in process ${first.child.pid}`));
      await killed(first.child);
      const third = await startServer(dir);
      await killed(third.child);
    } finally {
      await killed(first.child);
    }
  });
});
