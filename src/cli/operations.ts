import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { Config } from '../config.ts';
import { backupEmbedded, BackupError, restoreEmbedded } from '../db/backup.ts';
import { openDatabase } from '../db/connection.ts';
import { DataDirLockedError } from '../db/lock.ts';
import { CLI_ACTOR } from '../core/use-cases/actor.ts';
import { withCore, type Output } from './commands.ts';

const VIA_SERVER = 'set GATEHOUSE_URL to its address and GATEHOUSE_ADMIN_TOKEN to its admin token';

/** POST to a running server's admin API (GATEHOUSE_URL); a refusal becomes one line naming the cause. */
async function adminPost(config: Config, path: string): Promise<Response> {
  if (config.adminToken === undefined) throw new BackupError(`GATEHOUSE_URL is set: ${VIA_SERVER} too`);
  let response: Response;
  try {
    response = await fetch(`${config.serverUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${config.adminToken}` } });
  } catch (error) {
    throw new BackupError(`Cannot reach ${config.serverUrl}: ${(error as Error).message}`);
  }
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { message?: string };
    throw new BackupError(`${config.serverUrl}${path} answered ${response.status}${body.message === undefined ? '' : `: ${body.message}`}`);
  }
  return response;
}

/** `gatehouse backup FILE`: through the running server (GATEHOUSE_URL), else straight from a data directory no server holds. */
export async function backup(config: Config, out: Output, file: string): Promise<void> {
  if (config.serverUrl !== undefined) {
    const response = await adminPost(config, '/admin/backup');
    const partial = `${file}.partial-${randomBytes(4).toString('hex')}`;
    try {
      await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), createWriteStream(partial));
      renameSync(partial, file);
    } finally {
      rmSync(partial, { force: true });
    }
    const createdAt = response.headers.get('x-gatehouse-backup-created-at');
    out.print({ file, createdAt }, () => `Backup of ${config.serverUrl} taken at ${createdAt} written to ${file}`);
    return;
  }
  if (config.databaseUrl !== undefined)
    throw new BackupError('DATABASE_URL is set: back up PostgreSQL with pg_dump (see docs/operations-backup.md)');
  // Opening a directory without a database would create one: an empty backup of a mistyped path.
  if (config.dataDir !== 'memory://' && !existsSync(join(config.dataDir, 'PG_VERSION'))) {
    throw new BackupError(`${config.dataDir} holds no Gatehouse database (GATEHOUSE_DATA_DIR)`);
  }
  let database: Awaited<ReturnType<typeof openDatabase>>;
  try {
    database = await openDatabase({ ...config, logLevel: 'warn' });
  } catch (error) {
    if (error instanceof DataDirLockedError) throw new BackupError(`${error.message} To back up a running server, ${VIA_SERVER}.`);
    throw error;
  }
  try {
    const { manifest, bytes } = await backupEmbedded(database, file);
    out.print({ file, createdAt: manifest.createdAt, bytes }, () => `Backup of ${config.dataDir} written to ${file} (${bytes} bytes)`);
  } finally {
    await database.close();
  }
}

/** `gatehouse restore FILE --data-dir DIR [--force]`. */
export async function restore(out: Output, file: string, dataDir: string, force: boolean): Promise<void> {
  const manifest = await restoreEmbedded(file, dataDir, { force });
  out.print({ dataDir, createdAt: manifest.createdAt }, () => `Restored the backup taken at ${manifest.createdAt} into ${dataDir}`);
}

/** `gatehouse secrets rotate`: through the running server (GATEHOUSE_URL), else on the database directly. */
export async function rotateSecrets(config: Config, out: Output): Promise<void> {
  const print = (result: { keyId: string; resealed: { signingKeys: number; mfaSecrets: number }; storedKeyDeleted: boolean }): void =>
    out.print(
      result,
      () =>
        `Re-encrypted ${result.resealed.signingKeys} signing key(s) and ${result.resealed.mfaSecrets} MFA secret(s) under key ${result.keyId}` +
        (result.storedKeyDeleted ? '; deleted the key kept in the database.' : '.'),
    );
  if (config.serverUrl !== undefined) {
    print((await (await adminPost(config, '/admin/secrets/rotate')).json()) as Parameters<typeof print>[0]);
    return;
  }
  try {
    await withCore(config, async (core) => {
      print(await core.api.operations.rotateSecrets(CLI_ACTOR));
    });
  } catch (error) {
    if (error instanceof DataDirLockedError) throw new BackupError(`${error.message} To rotate on a running server, ${VIA_SERVER}.`);
    throw error;
  }
}

/** `gatehouse secrets new-key`: a random key for GATEHOUSE_SECRET_KEY. */
export function newSecretKey(out: Output): void {
  const key = randomBytes(32).toString('hex');
  out.print({ key }, () => key);
}
