import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

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
    super(`The data directory ${dataDir} cannot be used: ${why[cause.code ?? ''] ?? cause.code ?? cause.message}. Point GATEHOUSE_DATA_DIR at a writable directory.`);
    this.name = 'DataDirUnusableError';
  }
}

function unusable(dataDir: string, error: unknown): Error {
  const code = (error as NodeJS.ErrnoException).code;
  return typeof code === 'string' ? new DataDirUnusableError(dataDir, error as NodeJS.ErrnoException) : (error as Error);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * PGlite has no locking of its own: two processes writing one directory corrupt it.
 * An exclusive-create pid file makes the second opener fail at once; a file left by a
 * crashed process (its pid is gone) is taken over.
 */
export function lockDataDir(dataDir: string): () => void {
  // A data dir that is a file, read-only or on a full disk failed here with a raw stack trace (hardening campaign).
  try {
    mkdirSync(dataDir, { recursive: true });
  } catch (error) {
    throw unusable(dataDir, error);
  }
  const path = join(dataDir, 'gatehouse.pid');
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      const release = (): void => {
        if (released) return;
        released = true;
        rmSync(path, { force: true });
      };
      process.once('exit', release);
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw unusable(dataDir, error);
      const pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new DataDirLockedError(dataDir, pid);
      }
      if (pid === process.pid) throw new DataDirLockedError(dataDir, pid);
      rmSync(path, { force: true });
    }
  }
  throw new Error(`Could not lock the data directory ${dataDir}`);
}
