import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { parseOwner, pidAlive, probeSocket, selfOwner, type LockOwner } from './lock-owner.ts';

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `The embedded database in ${dataDir} is already open in process ${pid}. ` +
        'Stop that process first, or point GATEHOUSE_DATA_DIR at another directory.',
    );
    this.name = 'DataDirLockedError';
  }
}

/** The data directory cannot be used at all (a regular file, read-only, full disk, no permission): one clear line, not a stack. */
export class DataDirUnusableError extends Error {
  constructor(dataDir: string, cause: NodeJS.ErrnoException) {
    const why: Record<string, string> = {
      EEXIST: 'it exists and is not a directory',
      ENOTDIR: 'a part of its path is a regular file',
      ENOENT: 'it cannot be created (read-only file system or a missing parent)',
      EACCES: 'permission denied',
      EPERM: 'permission denied',
      EROFS: 'the file system is read-only',
      ENOSPC: 'the disk is full',
      EDQUOT: 'the disk quota is exhausted',
    };
    super(
      `The data directory ${dataDir} cannot be used: ${why[cause.code ?? ''] ?? cause.code ?? cause.message}. Point GATEHOUSE_DATA_DIR at a writable directory.`,
    );
    this.name = 'DataDirUnusableError';
  }
}

function unusable(dataDir: string, error: unknown): Error {
  const code = (error as NodeJS.ErrnoException).code;
  return typeof code === 'string' ? new DataDirUnusableError(dataDir, error as NodeJS.ErrnoException) : (error as Error);
}

const LOCK_FILE = 'gatehouse.pid';
const SOCKET_NAME = /^\.gatehouse-[0-9a-f]{8}\.sock$/;
/** Data directories this process holds (real paths): a record naming our own pid is ours only if listed here. */
const held = new Set<string>();

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Listens on a Unix socket whose liveness other starters probe; undefined where that is impossible (path too long, file system without sockets). */
function listen(path: string): Promise<Server | undefined> {
  // sun_path holds 108 bytes on Linux, 104 on macOS.
  if (Buffer.byteLength(path) > 100) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const server = createServer((socket) => socket.destroy());
    server.once('error', () => resolve(undefined));
    server.listen(path, () => {
      server.on('error', () => undefined);
      server.unref();
      resolve(server);
    });
  });
}

/** Creates the lock file with its whole content at once (a hard link of a written file), so no starter ever reads it half-written. */
function create(path: string, record: string): boolean {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(temp, record, { mode: 0o600 });
  try {
    linkSync(temp, path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw error;
    // A file system without hard links: exclusive create, then write.
    try {
      writeFileSync(path, record, { flag: 'wx', mode: 0o600 });
      return true;
    } catch (inner) {
      if ((inner as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw inner;
    }
  } finally {
    rmSync(temp, { force: true });
  }
}

/**
 * Removes a lock file judged stale, unless another starter replaced it since it was read: the file
 * is moved aside first and put back if its content is not the one judged.
 */
function removeStale(path: string, judged: string): void {
  const aside = `${path}.stale-${randomBytes(4).toString('hex')}`;
  try {
    renameSync(path, aside);
  } catch {
    return; // gone already
  }
  if (readOrUndefined(aside) !== judged) {
    try {
      linkSync(aside, path);
    } catch {
      // a third starter got there first; the next attempt examines its file
    }
  }
  rmSync(aside, { force: true });
}

async function ownerAlive(dataDir: string, owner: LockOwner, key: string): Promise<boolean> {
  if (owner.socket !== undefined && SOCKET_NAME.test(owner.socket)) {
    const probe = await probeSocket(join(dataDir, owner.socket));
    if (probe !== 'unknown') return probe === 'alive';
  }
  return pidAlive(owner, () => held.has(key));
}

/**
 * PGlite has no locking of its own: two processes writing one directory corrupt it. The first
 * opener creates `gatehouse.pid` naming itself (see lock-owner.ts); a later one is refused at once
 * while that owner lives, and takes the directory over at once when it does not (kill -9, power
 * cut, a container restarted with the same pid, a reboot, the pid now used by another program).
 * It protects one machine: a data directory shared between machines over a network is not supported.
 */
export async function lockDataDir(dataDir: string): Promise<() => void> {
  // A data dir that is a file, read-only or on a full disk failed here with a raw stack trace (hardening campaign).
  let key: string;
  try {
    mkdirSync(dataDir, { recursive: true });
    key = realpathSync(dataDir);
  } catch (error) {
    throw unusable(dataDir, error);
  }
  const path = join(dataDir, LOCK_FILE);
  const socketName = `.gatehouse-${randomBytes(4).toString('hex')}.sock`;
  const socketPath = join(dataDir, socketName);
  const server = await listen(socketPath);
  const record = JSON.stringify(selfOwner(server === undefined ? undefined : socketName));
  const closeSocket = (): void => {
    server?.close();
    if (server !== undefined) rmSync(socketPath, { force: true });
  };
  try {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      if (create(path, record)) {
        held.add(key);
        let released = false;
        const release = (): void => {
          if (released) return;
          released = true;
          process.removeListener('exit', release);
          held.delete(key);
          if (readOrUndefined(path) === record) rmSync(path, { force: true });
          closeSocket();
        };
        process.once('exit', release);
        return release;
      }
      const text = readOrUndefined(path);
      if (text === undefined) continue;
      const owner = parseOwner(text);
      if (owner !== undefined && (await ownerAlive(dataDir, owner, key))) throw new DataDirLockedError(dataDir, owner.pid);
      removeStale(path, text);
      if (owner?.socket !== undefined && SOCKET_NAME.test(owner.socket)) rmSync(join(dataDir, owner.socket), { force: true });
    }
    throw new Error(`Could not lock the data directory ${dataDir}`);
  } catch (error) {
    closeSocket();
    throw error instanceof DataDirLockedError ? error : unusable(dataDir, error);
  }
}
