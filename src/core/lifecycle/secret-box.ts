import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Db } from '../../db/connection.ts';

const KEY_NAME = 'mfa-encryption-key';

/**
 * Encrypts values the server must read back (TOTP secrets) with AES-256-GCM. The key comes
 * from GATEHOUSE_SECRET_KEY; without it, a random key is generated once and kept in the
 * database, which protects against leaked backups of single tables but not of the whole
 * database (see README).
 */
export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  static async open(db: Db, configured: string | undefined): Promise<SecretBox> {
    if (configured !== undefined) {
      const key = /^[0-9a-f]{64}$/i.test(configured) ? Buffer.from(configured, 'hex') : Buffer.from(configured, 'base64');
      return new SecretBox(key);
    }
    await db
      .insertInto('server_secrets')
      .values({ name: KEY_NAME, value: randomBytes(32).toString('base64') })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    const row = await db.selectFrom('server_secrets').select('value').where('name', '=', KEY_NAME).executeTakeFirstOrThrow();
    return new SecretBox(Buffer.from(row.value, 'base64'));
  }

  /** `v1.<iv>.<ciphertext>.<tag>`, base64url; `context` (the user id) is bound as associated data. */
  seal(plaintext: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', iv, body, cipher.getAuthTag()].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.');
  }

  open(sealed: string, context: string): string {
    const [version, iv, body, tag] = sealed.split('.');
    if (version !== 'v1' || iv === undefined || body === undefined || tag === undefined) throw new Error('Unknown sealed value format');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  }
}
