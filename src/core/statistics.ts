import { sql } from 'kysely';
import type { Db } from '../db/connection.ts';

/** Sign-ins of one hour: successful and failed `login` events. */
export interface HourCount {
  /** Start of the hour. */
  readonly hour: Date;
  readonly success: number;
  readonly failure: number;
}

export interface SigningKeyInfo {
  readonly kid: string;
  readonly createdAt: Date;
  readonly retiredAt: Date | null;
  /** When a retired key stops verifying (its last tokens have expired). */
  readonly verifyUntil: Date | null;
}

const HOUR_MS = 3600 * 1000;

/** Read-only figures for the console's overview and security pages (counts over the tables). */
export class Statistics {
  constructor(private readonly db: Db) {}

  async usersTotal(): Promise<number> {
    const row = await this.db.selectFrom('users').select(sql<string>`count(*)`.as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** The last 24 hours of sign-ins, oldest hour first, every hour present (zeros included). */
  async signInsByHour(now: Date = new Date()): Promise<HourCount[]> {
    const end = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS + HOUR_MS;
    const start = new Date(end - 24 * HOUR_MS);
    const rows = await this.db
      .selectFrom('audit_log')
      .select([sql<Date>`date_trunc('hour', created_at)`.as('hour'), 'outcome', sql<string>`count(*)`.as('n')])
      .where('action', '=', 'login')
      .where('created_at', '>=', start)
      .groupBy([sql`date_trunc('hour', created_at)`, 'outcome'])
      .execute();
    const hours = Array.from({ length: 24 }, (_, index) => ({ hour: new Date(start.getTime() + index * HOUR_MS), success: 0, failure: 0 }));
    for (const row of rows) {
      const index = Math.floor((new Date(row.hour).getTime() - start.getTime()) / HOUR_MS);
      const slot = hours[index];
      if (slot === undefined) continue;
      if (row.outcome === 'success') slot.success += Number(row.n);
      else slot.failure += Number(row.n);
    }
    return hours;
  }

  /** Accounts locked out (an `account.locked` event) since `since`, counted once each. */
  async lockedSince(since: Date): Promise<number> {
    const row = await this.db
      .selectFrom('audit_log')
      .select(sql<string>`count(DISTINCT coalesce(user_id::text, detail ->> 'email', id::text))`.as('n'))
      .where('action', '=', 'account.locked')
      .where('created_at', '>=', since)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Mail rows by status (pending, sending, sent, failed, outbox). */
  async mailByStatus(): Promise<Record<string, number>> {
    const rows = await this.db
      .selectFrom('mail_outbox')
      .select(['status', sql<string>`count(*)`.as('n')])
      .groupBy('status')
      .execute();
    return Object.fromEntries(rows.map((row) => [row.status, Number(row.n)]));
  }

  /** Mail the worker gave up on, newest first. */
  async failedMail(limit: number): Promise<Array<{ id: string; to: string; subject: string; error: string | null; createdAt: Date }>> {
    const rows = await this.db
      .selectFrom('mail_outbox')
      .select(['id', 'to_address', 'subject', 'last_error', 'created_at'])
      .where('status', '=', 'failed')
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map((row) => ({ id: row.id, to: row.to_address, subject: row.subject, error: row.last_error, createdAt: row.created_at }));
  }

  /** Every signing key, newest first: the current one has no retirement date. */
  async signingKeys(): Promise<SigningKeyInfo[]> {
    const rows = await this.db
      .selectFrom('signing_keys')
      .select(['kid', 'created_at', 'retired_at', 'verify_until'])
      .orderBy('created_at', 'desc')
      .limit(50)
      .execute();
    return rows.map((row) => ({ kid: row.kid, createdAt: row.created_at, retiredAt: row.retired_at, verifyUntil: row.verify_until }));
  }
}
