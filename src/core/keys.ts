import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { Db } from '../db/connection.ts';
import type { SecretBox } from './secret-box.ts';

export const SIGNING_ALG = 'ES256';
/** Retired keys keep verifying this long: the longest access-token lifetime a project may set. */
export const MAX_ACCESS_TOKEN_TTL_SECONDS = 24 * 3600;
const RELOAD_INTERVAL_MS = 30_000;

interface LoadedKey {
  readonly kid: string;
  readonly publicJwk: JWK;
  readonly verifyKey: CryptoKey;
  readonly verifyUntil: Date | null;
}

/** Associated data of a sealed private key: a sealed key copied onto another kid's row does not open. */
export function signingKeyContext(kid: string): string {
  return `signing-key:${kid}`;
}

/**
 * The asymmetric keys that sign access tokens. Generated on first start and kept in the
 * database so every instance and every restart signs and verifies with the same keys; the
 * private halves only sealed by the SecretBox.
 */
export class KeyStore {
  private signing: { kid: string; key: CryptoKey } | undefined;
  private verifying = new Map<string, LoadedKey>();
  private loadedAt = 0;
  private reloading: Promise<void> | undefined;

  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
  ) {}

  async init(): Promise<void> {
    await this.sealPlaintextKeys();
    await this.reload();
    if (this.signing === undefined) {
      await this.createKey();
      await this.reload();
    }
  }

  /** The key new tokens are signed with; picks up rotations made by other instances. */
  async signingKey(): Promise<{ kid: string; key: CryptoKey }> {
    if (Date.now() - this.loadedAt > RELOAD_INTERVAL_MS) await this.reloadOnce();
    if (this.signing === undefined) throw new Error('no signing key');
    return this.signing;
  }

  /** Key for a `kid`; an unknown kid triggers at most one reload per interval (another instance may have rotated). */
  async verificationKey(kid: string): Promise<CryptoKey | undefined> {
    let key = this.verifying.get(kid);
    if (key === undefined && Date.now() - this.loadedAt > 1000) {
      await this.reloadOnce();
      key = this.verifying.get(kid);
    }
    if (key === undefined) return undefined;
    if (key.verifyUntil !== null && key.verifyUntil.getTime() < Date.now()) return undefined;
    return key.verifyKey;
  }

  publicJwks(): { keys: JWK[] } {
    const now = Date.now();
    return {
      keys: [...this.verifying.values()]
        .filter((key) => key.verifyUntil === null || key.verifyUntil.getTime() > now)
        .map((key) => key.publicJwk),
    };
  }

  /** Signs with a new key from now on; the old one keeps verifying until its tokens expire. */
  async rotate(): Promise<{ kid: string; retired: string[] }> {
    const retired = await this.db
      .updateTable('signing_keys')
      .set({ retired_at: new Date(), verify_until: new Date(Date.now() + MAX_ACCESS_TOKEN_TTL_SECONDS * 1000) })
      .where('retired_at', 'is', null)
      .returning('kid')
      .execute();
    const kid = await this.createKey();
    await this.reload();
    return { kid, retired: retired.map((row) => row.kid) };
  }

  private async createKey(): Promise<string> {
    const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
    const kid = randomUUID();
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: SIGNING_ALG, use: 'sig' };
    const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: SIGNING_ALG };
    await this.db
      .insertInto('signing_keys')
      .values({
        kid,
        alg: SIGNING_ALG,
        public_jwk: JSON.stringify(publicJwk),
        private_sealed: this.box.seal(JSON.stringify(privateJwk), signingKeyContext(kid)),
      })
      .execute();
    return kid;
  }

  /**
   * Keys written before migration 007 hold their private JWK in plaintext: seal each one (the
   * update only applies while the row is still plaintext, so instances starting together agree).
   * Returns how many were sealed.
   */
  async sealPlaintextKeys(): Promise<number> {
    const rows = await this.db.selectFrom('signing_keys').select(['kid', 'private_jwk']).where('private_jwk', 'is not', null).execute();
    let sealed = 0;
    for (const row of rows) {
      const result = await this.db
        .updateTable('signing_keys')
        .set({ private_sealed: this.box.seal(JSON.stringify(row.private_jwk), signingKeyContext(row.kid)), private_jwk: null })
        .where('kid', '=', row.kid)
        .where('private_jwk', 'is not', null)
        .executeTakeFirst();
      sealed += Number(result.numUpdatedRows);
    }
    return sealed;
  }

  private reloadOnce(): Promise<void> {
    this.reloading ??= this.reload().finally(() => {
      this.reloading = undefined;
    });
    return this.reloading;
  }

  private async reload(): Promise<void> {
    const rows = await this.db
      .selectFrom('signing_keys')
      .selectAll()
      .where((eb) => eb.or([eb('verify_until', 'is', null), eb('verify_until', '>', new Date())]))
      .orderBy('created_at', 'desc')
      .orderBy('kid')
      .execute();
    const verifying = new Map<string, LoadedKey>();
    let signing: { kid: string; key: CryptoKey } | undefined;
    for (const row of rows) {
      const publicJwk = row.public_jwk as JWK;
      const verifyKey = (await importJWK(publicJwk, row.alg)) as CryptoKey;
      verifying.set(row.kid, { kid: row.kid, publicJwk, verifyKey, verifyUntil: row.verify_until });
      if (signing === undefined && row.retired_at === null) {
        signing = { kid: row.kid, key: await this.privateKey(row.kid, row.alg, row.private_sealed) };
      }
    }
    this.verifying = verifying;
    this.signing = signing;
    this.loadedAt = Date.now();
  }

  /** The signing key of a row; the one already loaded when it is the same kid (no decryption every reload). */
  private async privateKey(kid: string, alg: string, sealed: string | null): Promise<CryptoKey> {
    if (this.signing?.kid === kid) return this.signing.key;
    if (sealed === null) throw new Error(`signing key ${kid} has no private key`);
    return (await importJWK(JSON.parse(this.box.open(sealed, signingKeyContext(kid))) as JWK, alg)) as CryptoKey;
  }
}
