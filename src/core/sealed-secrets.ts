import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Db } from '../db/connection.ts';
import { ErrorCode, GatehouseError } from './errors.ts';
import { signingKeyContext } from './keys.ts';
import { SecretBox, STORED_KEY_NAME, UnreadableSecretError } from './secret-box.ts';

/** Every column the SecretBox writes: a new encrypted column is added here, and rotations cover it. */
const SEALED_COLUMNS = [
  { name: 'signingKeys', table: 'signing_keys', key: 'kid', column: 'private_sealed', context: signingKeyContext },
  { name: 'mfaSecrets', table: 'mfa_factors', key: 'user_id', column: 'secret_encrypted', context: (userId: string) => userId },
] as const;

export type SealedCounts = Record<(typeof SEALED_COLUMNS)[number]['name'], number>;
type Column = (typeof SEALED_COLUMNS)[number];

const BATCH = 200;

function zero(): SealedCounts {
  return { signingKeys: 0, mfaSecrets: 0 };
}

/** The stored encrypted values as a whole: start-up checks and upgrades, and `gatehouse secrets rotate`. */
export class SealedSecrets {
  constructor(
    private readonly db: Db,
    readonly box: SecretBox,
  ) {}

  /**
   * Re-encrypts under GATEHOUSE_SECRET_KEY every value sealed with another key, then deletes the
   * key kept in the database (if any): from then on only GATEHOUSE_SECRET_KEY reads anything.
   * Each row is updated only if unchanged since read, so it runs beside live instances.
   */
  async rotate(): Promise<{ keyId: string; resealed: SealedCounts; storedKeyDeleted: boolean }> {
    if (!this.box.configured)
      throw new GatehouseError(ErrorCode.Conflict, 'Set GATEHOUSE_SECRET_KEY before rotating: without it the key is kept in the database');
    const resealed = zero();
    for (const column of SEALED_COLUMNS) {
      resealed[column.name] = await this.reseal(column, sql`NOT LIKE ${`v2.${this.box.currentKeyId}.%`}`);
    }
    const deleted = await this.db.deleteFrom('server_secrets').where('name', '=', STORED_KEY_NAME).executeTakeFirst();
    return { keyId: this.box.currentKeyId, resealed, storedKeyDeleted: Number(deleted.numDeletedRows) > 0 };
  }

  /** Values written before key ids existed (`v1.`) are resealed with one: afterwards `unreadable` sees every value's key. */
  async upgrade(): Promise<number> {
    let total = 0;
    for (const column of SEALED_COLUMNS) total += await this.reseal(column, sql`LIKE ${'v1.%'}`);
    return total;
  }

  /** How many values of each kind are sealed with a key this instance does not have. */
  async unreadable(): Promise<SealedCounts> {
    const counts = zero();
    const known = sql.join(this.box.knownKeyIds().map((id) => sql`${id}`));
    for (const column of SEALED_COLUMNS) {
      const ref = sql.ref(column.column);
      const { rows } = await sql<{ n: number }>`
        SELECT count(*)::int AS n FROM ${sql.table(column.table)}
        WHERE ${ref} LIKE ${'v2.%'} AND split_part(${ref}, '.', 2) NOT IN (${known})`.execute(this.db);
      counts[column.name] = rows[0]?.n ?? 0;
    }
    return counts;
  }

  private async reseal(column: Column, filter: ReturnType<typeof sql>): Promise<number> {
    const [table, key, ref] = [sql.table(column.table), sql.ref(column.key), sql.ref(column.column)];
    let done = 0;
    let after: string | undefined;
    for (;;) {
      // Keyset pages in the key's own type (uuid, text), so its index serves both the page and the update.
      const page = after === undefined ? sql`` : sql`AND ${key} > ${after}`;
      const { rows } = await sql<{ id: string; sealed: string }>`
        SELECT ${key}::text AS id, ${ref} AS sealed FROM ${table}
        WHERE ${ref} IS NOT NULL AND ${ref} ${filter} ${page}
        ORDER BY ${key} LIMIT ${BATCH}`.execute(this.db);
      for (const row of rows) {
        const fresh = this.box.seal(this.box.open(row.sealed, column.context(row.id)), column.context(row.id));
        // Unchanged since read, or left alone (an instance wrote it meanwhile, under its current key).
        const result = await sql`UPDATE ${table} SET ${ref} = ${fresh} WHERE ${key} = ${row.id} AND ${ref} = ${row.sealed}`.execute(
          this.db,
        );
        done += Number(result.numAffectedRows ?? 0n);
      }
      if (rows.length < BATCH) return done;
      after = rows[rows.length - 1]?.id ?? after;
    }
  }
}

/**
 * Opens the SecretBox for this configuration, upgrades values sealed before key ids, and refuses
 * to start when stored secrets need a key this instance lacks (a DB copy with a wrong key, or
 * GATEHOUSE_SECRET_KEY_PREVIOUS dropped before `gatehouse secrets rotate`).
 */
export async function openSealedSecrets(db: Db, config: Config, logger: Logger): Promise<SealedSecrets> {
  const box = await SecretBox.open(db, config.secretKey, config.secretKeyPrevious);
  const secrets = new SealedSecrets(db, box);
  const upgraded = await secrets.upgrade();
  if (upgraded > 0) logger.info({ upgraded }, 'stored secrets now carry the id of their encryption key');
  const unreadable = await secrets.unreadable();
  if (unreadable.signingKeys + unreadable.mfaSecrets > 0) throw new UnreadableSecretsAtStartError(unreadable);
  return secrets;
}

export class UnreadableSecretsAtStartError extends UnreadableSecretError {
  constructor(readonly counts: SealedCounts) {
    super(undefined);
    this.message =
      `${counts.signingKeys} signing key(s) and ${counts.mfaSecrets} MFA secret(s) are encrypted with a key that is neither ` +
      'GATEHOUSE_SECRET_KEY nor in GATEHOUSE_SECRET_KEY_PREVIOUS. Start with the key they were written with ' +
      '(see docs/operations-backup.md, "Secret key rotation").';
    this.name = 'UnreadableSecretsAtStartError';
  }
}
