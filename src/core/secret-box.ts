import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { Db } from '../db/connection.ts';

/** server_secrets row of the key used when GATEHOUSE_SECRET_KEY is not set (the name predates signing-key encryption). */
export const STORED_KEY_NAME = 'mfa-encryption-key';

export class UnreadableSecretError extends Error {
  constructor(readonly keyId: string | undefined) {
    super(
      keyId === undefined
        ? 'A stored secret cannot be decrypted with GATEHOUSE_SECRET_KEY or GATEHOUSE_SECRET_KEY_PREVIOUS'
        : `A stored secret is encrypted with key ${keyId}, which is neither GATEHOUSE_SECRET_KEY nor in GATEHOUSE_SECRET_KEY_PREVIOUS`,
    );
    this.name = 'UnreadableSecretError';
  }
}

/** 32 bytes from 64 hex characters or base64 (config.ts has validated the length). */
export function decodeKey(text: string): Buffer {
  return /^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
}

/** A short public name of a key, carried by each ciphertext so that the right key is picked while several are in use. */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update('gatehouse secret key id\0').update(key).digest('hex').slice(0, 12);
}

/**
 * Encrypts the values the server must read back (TOTP secrets, private signing keys) with
 * AES-256-GCM under GATEHOUSE_SECRET_KEY, so a copy of the database alone reads none of them.
 * Keys in GATEHOUSE_SECRET_KEY_PREVIOUS only decrypt: during a rotation (docs/operations-backup.md)
 * instances know both keys, and `gatehouse secrets rotate` re-encrypts what the old one sealed.
 * Without GATEHOUSE_SECRET_KEY, a random key is generated once and kept in the database: that
 * guards leaked copies of single tables only. A stored key stays readable after GATEHOUSE_SECRET_KEY
 * is set, until a rotation has moved everything off it and deleted it.
 */
export class SecretBox {
  private constructor(
    private readonly current: { readonly id: string; readonly key: Buffer },
    private readonly keys: ReadonlyMap<string, Buffer>,
    /** Whether the current key comes from the configuration (rather than the database). */
    readonly configured: boolean,
  ) {}

  static async open(db: Db, configured: string | undefined, previous: readonly string[] = []): Promise<SecretBox> {
    let stored = await db.selectFrom('server_secrets').select('value').where('name', '=', STORED_KEY_NAME).executeTakeFirst();
    if (configured === undefined && stored === undefined) {
      await db
        .insertInto('server_secrets')
        .values({ name: STORED_KEY_NAME, value: randomBytes(32).toString('base64') })
        .onConflict((oc) => oc.column('name').doNothing())
        .execute();
      stored = await db.selectFrom('server_secrets').select('value').where('name', '=', STORED_KEY_NAME).executeTakeFirstOrThrow();
    }
    const storedKey = stored === undefined ? undefined : Buffer.from(stored.value, 'base64');
    const current = configured === undefined ? storedKey : decodeKey(configured);
    if (current === undefined) throw new Error('no secret key');
    const all = [current, ...previous.map(decodeKey), ...(storedKey === undefined ? [] : [storedKey])];
    return new SecretBox({ id: keyIdOf(current), key: current }, new Map(all.map((key) => [keyIdOf(key), key])), configured !== undefined);
  }

  get currentKeyId(): string {
    return this.current.id;
  }

  /** Ids of every key this box can decrypt with. */
  knownKeyIds(): string[] {
    return [...this.keys.keys()];
  }

  /** `v2.<key id>.<iv>.<ciphertext>.<tag>`, base64url; `context` (the user id, the kid) is bound as associated data. */
  seal(plaintext: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v2', this.current.id, ...[iv, body, cipher.getAuthTag()].map((part) => part.toString('base64url'))].join('.');
  }

  open(sealed: string, context: string): string {
    const parts = sealed.split('.');
    if (parts[0] === 'v2' && parts.length === 5) {
      const key = this.keys.get(parts[1] ?? '');
      if (key === undefined) throw new UnreadableSecretError(parts[1]);
      return decrypt(key, parts.slice(2), context);
    }
    // v1 (before key ids): `v1.<iv>.<ciphertext>.<tag>`; the GCM tag tells which key fits.
    if (parts[0] === 'v1' && parts.length === 4) {
      for (const key of this.keys.values()) {
        try {
          return decrypt(key, parts.slice(1), context);
        } catch {
          // not this key
        }
      }
      throw new UnreadableSecretError(undefined);
    }
    throw new Error('Unknown sealed value format');
  }

  /** Whether `sealed` is already under the current key (a rotation leaves it alone). */
  isCurrent(sealed: string): boolean {
    return sealed.startsWith(`v2.${this.current.id}.`);
  }
}

function decrypt(key: Buffer, [iv, body, tag]: string[], context: string): string {
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv ?? '', 'base64url'), { authTagLength: 16 });
  decipher.setAAD(Buffer.from(context));
  decipher.setAuthTag(Buffer.from(tag ?? '', 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(body ?? '', 'base64url')), decipher.final()]).toString('utf8');
}
