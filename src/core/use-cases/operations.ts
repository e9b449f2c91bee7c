import { createReadStream, rmSync, type ReadStream } from 'node:fs';
import { join } from 'node:path';
import { backupEmbedded, backupTempDir, cannotBackUp, type BackupManifest } from '../../db/backup.ts';
import type { DatabaseHandle } from '../../db/connection.ts';
import { ErrorCode, GatehouseError } from '../errors.ts';
import type { SecurityEvents } from '../events.ts';
import type { SealedCounts, SealedSecrets } from '../sealed-secrets.ts';
import { actorFields, assertMay, type Actor } from './actor.ts';

/** Backups of the embedded database and re-encryption of stored secrets (admin API and CLI; docs/operations-backup.md). */
export class Operations {
  constructor(
    private readonly deps: {
      readonly database: DatabaseHandle;
      readonly dataDir: string;
      readonly secrets: SealedSecrets;
      readonly events: SecurityEvents;
    },
  ) {}

  /**
   * A consistent online backup as a stream of its archive; the temporary file behind it is
   * removed once the stream closes (read to its end, or abandoned by a client gone away).
   */
  async backup(actor: Actor): Promise<{ manifest: BackupManifest; bytes: number; archive: ReadStream }> {
    assertMay(actor, 'backup');
    const why = cannotBackUp(this.deps.database);
    if (why !== undefined) throw new GatehouseError(ErrorCode.Conflict, why);
    const dir = backupTempDir(this.deps.dataDir);
    try {
      const file = join(dir, 'backup.tar.gz');
      const { manifest, bytes } = await backupEmbedded(this.deps.database, file);
      this.record('admin.backup', actor, { bytes, createdAt: manifest.createdAt });
      const archive = createReadStream(file);
      archive.once('close', () => rmSync(dir, { recursive: true, force: true }));
      return { manifest, bytes, archive };
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  }

  /** Re-encrypts every stored secret under GATEHOUSE_SECRET_KEY (SealedSecrets.rotate). */
  async rotateSecrets(actor: Actor): Promise<{ keyId: string; resealed: SealedCounts; storedKeyDeleted: boolean }> {
    assertMay(actor, 'keys.rotate');
    const rotated = await this.deps.secrets.rotate();
    this.record('admin.secrets.rotate', actor, { keyId: rotated.keyId, ...rotated.resealed });
    return rotated;
  }

  private record(action: string, actor: Actor, detail: Record<string, unknown>): void {
    const { remoteAddress, actor: name } = actorFields(actor);
    this.deps.events.emit({
      action,
      outcome: 'success',
      ...(remoteAddress !== undefined && { remoteAddress }),
      detail: { ...detail, actor: name },
    });
  }
}
