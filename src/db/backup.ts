import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { create, extract, list, type ReadEntry } from 'tar';
import type { DatabaseHandle } from './connection.ts';
import { lockDataDir } from './lock.ts';

/** Written into each archive: what it is, and when its snapshot was taken. */
export const MANIFEST = 'gatehouse-backup.json';
const FORMAT = 'gatehouse-backup';

/** Files of the data directory that belong to the running process, not to the database (lock.ts, PostgreSQL's own pid file). */
const NOT_DATA = /^(gatehouse\.pid(\..*)?|\.gatehouse-[0-9a-f]{8}\.sock|postmaster\.pid|gatehouse-backup\.json|\.backup-tmp)$/;

export interface BackupManifest {
  readonly format: typeof FORMAT;
  readonly version: 1;
  /** When the snapshot was taken: every write acknowledged before it is in the archive, none after it. */
  readonly createdAt: string;
  /** PostgreSQL major version of the embedded database (PG_VERSION). */
  readonly postgres: string;
}

export class BackupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupError';
  }
}

/**
 * Writes a gzip'd tar of the embedded database to `file` while the server keeps running: the
 * files are archived while no statement runs and after a checkpoint (DatabaseHandle.quiesced),
 * so each transaction is wholly in the archive or wholly after it. Requests wait meanwhile (the
 * time to read the data directory); the archive is written under a temporary name first.
 */
export async function backupEmbedded(handle: DatabaseHandle, file: string): Promise<{ manifest: BackupManifest; bytes: number }> {
  const why = cannotBackUp(handle);
  if (why !== undefined || handle.quiesced === undefined) throw new BackupError(why ?? 'no backup');
  const partial = `${file}.partial-${randomBytes(4).toString('hex')}`;
  try {
    const manifest = await handle.quiesced(async (dataDir) => {
      const taken: BackupManifest = {
        format: FORMAT,
        version: 1,
        createdAt: new Date().toISOString(),
        postgres: readFileSync(join(dataDir, 'PG_VERSION'), 'utf8').trim(),
      };
      writeFileSync(join(dataDir, MANIFEST), `${JSON.stringify(taken, null, 2)}\n`);
      try {
        const names = readdirSync(dataDir).filter((name) => !NOT_DATA.test(name));
        await create({ file: partial, cwd: dataDir, gzip: { level: 1 }, portable: true }, [MANIFEST, ...names]);
      } finally {
        rmSync(join(dataDir, MANIFEST), { force: true });
      }
      return taken;
    });
    renameSync(partial, file);
    return { manifest, bytes: statSync(file).size };
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
}

/**
 * A new empty directory for an archive on its way to a client (POST /admin/backup), inside the
 * data directory (the volume an operator sized for it; archives leave its own files out).
 */
export function backupTempDir(dataDir: string): string {
  const root = join(dataDir, '.backup-tmp');
  mkdirSync(root, { recursive: true, mode: 0o700 });
  // Left by a process that died while sending one: no download takes a day.
  for (const name of readdirSync(root)) {
    const path = join(root, name);
    if (statSync(path).mtimeMs < Date.now() - 24 * 3600_000) rmSync(path, { recursive: true, force: true });
  }
  return mkdtempSync(join(root, 'b-'));
}

/** Why this database cannot be backed up by Gatehouse, or undefined if it can. */
export function cannotBackUp(handle: DatabaseHandle): string | undefined {
  if (handle.quiesced !== undefined) return undefined;
  return handle.kind === 'postgres'
    ? 'Gatehouse backs up its embedded database only: back up PostgreSQL with pg_dump (see docs/operations-backup.md)'
    : 'The in-memory database (GATEHOUSE_DATA_DIR=memory://) has nothing on disk to back up';
}

/** Reads and checks an archive's manifest without extracting anything. */
export async function readManifest(file: string): Promise<BackupManifest> {
  if (!existsSync(file)) throw new BackupError(`${file} does not exist`);
  let text: string | undefined;
  let hasDatabase = false;
  try {
    await list({
      file,
      onReadEntry(entry: ReadEntry) {
        if (entry.path === 'PG_VERSION') hasDatabase = true;
        if (entry.path !== MANIFEST) return entry.resume();
        const chunks: Buffer[] = [];
        entry.on('data', (chunk: Buffer) => chunks.push(chunk));
        entry.on('end', () => (text = Buffer.concat(chunks).toString('utf8')));
      },
    });
  } catch (error) {
    throw new BackupError(`${file} is not a Gatehouse backup (${(error as Error).message})`);
  }
  let manifest: Partial<BackupManifest> | undefined;
  try {
    manifest = text === undefined ? undefined : (JSON.parse(text) as Partial<BackupManifest>);
  } catch {
    manifest = undefined;
  }
  if (manifest?.format !== FORMAT || !hasDatabase) throw new BackupError(`${file} is not a Gatehouse backup`);
  if (manifest.version !== 1)
    throw new BackupError(`${file} is a backup of version ${String(manifest.version)}, which this Gatehouse cannot restore`);
  return manifest as BackupManifest;
}

/**
 * Restores an archive into `dataDir`, which must be empty (or is emptied with `force`). The
 * directory is locked meanwhile: a server running on it refuses the restore, and no server starts
 * on a half-restored directory.
 */
export async function restoreEmbedded(file: string, dataDir: string, options: { force: boolean }): Promise<BackupManifest> {
  const manifest = await readManifest(file);
  const unlock = await lockDataDir(dataDir);
  try {
    const present = readdirSync(dataDir).filter((name) => !NOT_DATA.test(name));
    if (present.length > 0) {
      if (!options.force)
        throw new BackupError(`${dataDir} is not empty: restore into a new directory, or add --force to replace its contents`);
      for (const name of present) rmSync(join(dataDir, name), { recursive: true, force: true });
    }
    try {
      await extract({ file, cwd: dataDir, filter: (path) => path !== MANIFEST && !NOT_DATA.test(path) });
    } catch (error) {
      for (const name of readdirSync(dataDir).filter((entry) => !NOT_DATA.test(entry)))
        rmSync(join(dataDir, name), { recursive: true, force: true });
      throw new BackupError(`Restoring ${file} failed: ${(error as Error).message}`);
    }
  } finally {
    unlock();
  }
  return manifest;
}
