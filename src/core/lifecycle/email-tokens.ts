import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { Db } from '../../db/connection.ts';
import type { EmailTokensTable } from '../../db/schema.ts';
import { digest, newSecret } from '../secrets.ts';
import { normalizeEmail, type User } from '../users.ts';

export type EmailTokenKind = 'verify-email' | 'password-reset';
export type EmailToken = Selectable<EmailTokensTable>;

/** How a token is presented: the secret, and optionally the id (Ovok links) or the email (Laravel). */
export interface TokenProof {
  readonly secret: string;
  readonly id?: string | undefined;
  readonly email?: string | undefined;
}

const PREFIX: Record<EmailTokenKind, string> = { 'verify-email': 'ghv_', 'password-reset': 'ghp_' };

/**
 * Single-use secrets sent by email. Only a SHA-256 is stored; a token is bound to its kind, its
 * user and the address it was sent to, expires, and is spent by one atomic UPDATE.
 */
export class EmailTokens {
  constructor(private readonly db: Db) {}

  async issue(user: User, kind: EmailTokenKind, ttlSeconds: number): Promise<{ id: string; secret: string }> {
    const id = randomUUID();
    const secret = newSecret(PREFIX[kind]);
    await this.db
      .insertInto('email_tokens')
      .values({
        id,
        user_id: user.id,
        kind,
        token_hash: digest(secret),
        email_normalized: user.email_normalized,
        expires_at: new Date(Date.now() + ttlSeconds * 1000),
      })
      .execute();
    return { id, secret };
  }

  /** The live token a proof names, without spending it (to check a new password first). */
  async peek(kind: EmailTokenKind, proof: TokenProof): Promise<EmailToken | undefined> {
    if (!proof.secret.startsWith(PREFIX[kind])) return undefined;
    let query = this.db
      .selectFrom('email_tokens')
      .selectAll()
      .where('token_hash', '=', digest(proof.secret))
      .where('kind', '=', kind)
      .where('used_at', 'is', null)
      .where('expires_at', '>', new Date());
    if (proof.id !== undefined) query = query.where('id', '=', proof.id);
    if (proof.email !== undefined) query = query.where('email_normalized', '=', normalizeEmail(proof.email));
    return isUuidOrAbsent(proof.id) ? query.executeTakeFirst() : undefined;
  }

  /** Spends the token: exactly one of any number of concurrent callers gets it. */
  async consume(kind: EmailTokenKind, proof: TokenProof): Promise<EmailToken | undefined> {
    if (!proof.secret.startsWith(PREFIX[kind]) || !isUuidOrAbsent(proof.id)) return undefined;
    let query = this.db
      .updateTable('email_tokens')
      .set({ used_at: new Date() })
      .where('token_hash', '=', digest(proof.secret))
      .where('kind', '=', kind)
      .where('used_at', 'is', null)
      .where('expires_at', '>', new Date());
    if (proof.id !== undefined) query = query.where('id', '=', proof.id);
    if (proof.email !== undefined) query = query.where('email_normalized', '=', normalizeEmail(proof.email));
    return query.returningAll().executeTakeFirst();
  }

  /** When the newest token of this kind was issued to the user (resend cooldowns). */
  async lastIssued(userId: string, kind: EmailTokenKind): Promise<Date | undefined> {
    const row = await this.db
      .selectFrom('email_tokens')
      .select('created_at')
      .where('user_id', '=', userId)
      .where('kind', '=', kind)
      .orderBy('created_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row?.created_at;
  }

  /** Other outstanding tokens stop working once one is used (a reset link from last week, say). */
  async revokeAll(userId: string, kind: EmailTokenKind): Promise<void> {
    await this.db
      .updateTable('email_tokens')
      .set({ used_at: new Date() })
      .where('user_id', '=', userId)
      .where('kind', '=', kind)
      .where('used_at', 'is', null)
      .execute();
  }
}

function isUuidOrAbsent(id: string | undefined): boolean {
  return id === undefined || /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);
}
