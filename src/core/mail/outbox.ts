import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Db } from '../../db/connection.ts';
import type { MailOutboxTable } from '../../db/schema.ts';
import { normalizeEmail } from '../users.ts';
import type { MailTransport } from './transport.ts';

export type OutboxRow = Selectable<MailOutboxTable>;

export interface NewMail {
  readonly projectId: string | null;
  readonly kind: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html?: string | undefined;
}

export interface MailerOptions {
  readonly from: string;
  /** undefined = development outbox: messages are kept in the table, never sent. */
  readonly transport: MailTransport | undefined;
  readonly pollMs: number;
  readonly retryBaseMs: number;
  readonly maxAttempts: number;
}

/** Newest first; `to` filters by recipient (any case). Needs no running worker (the CLI reads with it). */
export function listOutbox(db: Db, filter: { to?: string | undefined; limit: number }): Promise<OutboxRow[]> {
  let query = db.selectFrom('mail_outbox').selectAll();
  if (filter.to !== undefined) query = query.where('to_normalized', '=', normalizeEmail(filter.to));
  return query.orderBy('created_at', 'desc').orderBy('seq', 'desc').limit(filter.limit).execute();
}

const BATCH = 10;
/** A claimed message whose worker died is claimed again after this long. */
const CLAIM_MS = 120_000;
const MAX_BACKOFF_MS = 3_600_000;

/**
 * Outgoing email. `enqueue` only writes a row, so a request never waits on (or fails with)
 * the mail server; a background worker sends due rows with retries and exponential backoff.
 * Rows are claimed with FOR UPDATE SKIP LOCKED, so several instances can drain one table.
 */
export class Mailer {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    private readonly options: MailerOptions,
  ) {}

  get mode(): 'smtp' | 'outbox' {
    return this.options.transport === undefined ? 'outbox' : 'smtp';
  }

  async enqueue(mail: NewMail): Promise<string> {
    const id = randomUUID();
    await this.db
      .insertInto('mail_outbox')
      .values({
        id,
        project_id: mail.projectId,
        kind: mail.kind,
        to_address: mail.to,
        to_normalized: normalizeEmail(mail.to),
        subject: mail.subject,
        text_body: mail.text,
        html_body: mail.html ?? null,
        status: this.mode === 'smtp' ? 'pending' : 'outbox',
      })
      .execute();
    if (this.mode === 'smtp') this.kick();
    return id;
  }

  /** Newest first; `to` filters by recipient (any case). */
  list(filter: { to?: string | undefined; limit: number }): Promise<OutboxRow[]> {
    return listOutbox(this.db, filter);
  }

  /** Starts the worker (SMTP mode only): a poll timer, plus an immediate pass after each enqueue. */
  start(): void {
    if (this.mode !== 'smtp' || this.timer !== undefined) return;
    this.timer = setInterval(() => this.kick(), this.options.pollMs);
    this.timer.unref();
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
    this.options.transport?.close();
  }

  /** Resolves when no pass is running in this process (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running !== undefined) await this.running;
  }

  /** Runs a pass now, or right after the current one (never two at once in one process). */
  kick(): void {
    if (this.stopped) return;
    if (this.running !== undefined) {
      this.again = true;
      return;
    }
    this.running = this.drain()
      .then(() => undefined)
      .catch((error: unknown) => this.logger.error({ err: error }, 'mail worker pass failed'))
      .finally(() => {
        this.running = undefined;
        if (this.again && !this.stopped) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Sends every due message; returns how many were attempted. Exposed for tests and the CLI. */
  async drain(): Promise<number> {
    let attempted = 0;
    for (;;) {
      if (this.stopped) return attempted;
      const batch = await this.claim();
      if (batch.length === 0) return attempted;
      attempted += batch.length;
      await Promise.all(batch.map((row) => this.deliver(row)));
    }
  }

  private async claim(): Promise<OutboxRow[]> {
    const result = await sql<OutboxRow>`
      UPDATE mail_outbox SET status = 'sending', attempts = attempts + 1,
        next_attempt_at = now() + make_interval(secs => ${CLAIM_MS / 1000})
      WHERE id IN (
        SELECT id FROM mail_outbox
        WHERE status IN ('pending', 'sending') AND next_attempt_at <= now()
        ORDER BY next_attempt_at, seq
        LIMIT ${BATCH}
        FOR UPDATE SKIP LOCKED
      )
      RETURNING *`.execute(this.db);
    return result.rows;
  }

  private async deliver(row: OutboxRow): Promise<void> {
    const transport = this.options.transport;
    if (transport === undefined) return;
    try {
      await transport.send({
        from: this.options.from,
        to: row.to_address,
        subject: row.subject,
        text: row.text_body,
        html: row.html_body ?? undefined,
      });
      // The body may hold a reset or verification secret: once delivered, it is not kept.
      await this.db
        .updateTable('mail_outbox')
        .set({ status: 'sent', sent_at: new Date(), last_error: null, text_body: '', html_body: null })
        .where('id', '=', row.id)
        .execute();
      this.logger.info({ mailId: row.id, kind: row.kind, attempts: row.attempts }, 'email sent');
    } catch (error) {
      const message = (error instanceof Error ? error.message : String(error)).slice(0, 500);
      const giveUp = row.attempts >= this.options.maxAttempts;
      const delay = Math.min(MAX_BACKOFF_MS, this.options.retryBaseMs * 2 ** (row.attempts - 1));
      // Jitter spreads retries of many messages that failed together (a mail server outage).
      const next = new Date(Date.now() + delay * (0.75 + Math.random() * 0.5));
      await this.db
        .updateTable('mail_outbox')
        .set({ status: giveUp ? 'failed' : 'pending', last_error: message, next_attempt_at: next })
        .where('id', '=', row.id)
        .execute();
      this.logger.warn({ mailId: row.id, kind: row.kind, attempts: row.attempts, giveUp, err: message }, 'email not sent');
      if (!giveUp) this.wakeAt(next);
    }
  }

  /** A retry due before the next poll is picked up on time. */
  private wakeAt(when: Date): void {
    const delay = when.getTime() - Date.now();
    if (this.stopped || delay >= this.options.pollMs) return;
    setTimeout(() => this.kick(), Math.max(0, delay)).unref();
  }
}
