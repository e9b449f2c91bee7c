import { createHash } from 'node:crypto';
import { sql, type Selectable } from 'kysely';
import type { Logger } from 'pino';
import type { Db } from '../db/connection.ts';
import { runHot, type HotStatement } from '../db/hot-statements.ts';
import { isUniqueViolation } from './errors.ts';
import type { AuditLogTable } from '../db/schema.ts';
import type { SecurityEvent } from './events.ts';

export type AuditRow = Selectable<AuditLogTable>;

export interface AuditFilter {
  readonly projectId?: string | undefined;
  readonly userId?: string | undefined;
  /** Exact action, or a prefix ending in `*` (`admin.*`). */
  readonly action?: string | undefined;
  /** Who made an administrative change: "admin token", "cli", "operator:<id>" (detail.actor). */
  readonly actor?: string | undefined;
  readonly since?: Date | undefined;
  readonly until?: Date | undefined;
  /** Rows older than this id (the `nextCursor` of the previous page). */
  readonly before?: number | undefined;
  readonly limit: number;
}

export interface VerifyResult {
  readonly ok: boolean;
  readonly rows: number;
  /** Hash of the last row: record it elsewhere to also detect a truncated tail later. */
  readonly head: string;
  readonly firstBad?: { readonly id: number; readonly reason: string; readonly row?: AuditRow };
}

export const GENESIS_HASH = '0'.repeat(64);
/** Appends tried after another instance extended the chain first, before the writer waits and retries. */
const MAX_CONFLICTS = 20;
const BATCH = 200;
const MAX_PENDING = 50_000;
/**
 * How long the writer lets events gather before it writes them: under load one transaction
 * then carries many rows instead of one, which takes the chain's lock and head read off almost
 * every sign-in. An event is in the table this much later, which no reader notices.
 */
const GATHER_MS = 25;
const SECRET_KEY = /pass(word)?|secret|token|authorization|cookie|api_?key|otp|recovery|code_verifier/i;

/** The exact bytes a row's hash covers: every column but the hashes, in a fixed order, keys sorted. */
export function canonicalRow(row: Omit<AuditRow, 'hash' | 'prev_hash'>): string {
  return JSON.stringify([
    row.id,
    row.created_at.toISOString(),
    row.action,
    row.outcome,
    row.project_id,
    row.user_id,
    row.client_id,
    row.session_id,
    row.remote_address,
    row.user_agent,
    sortKeys(row.detail),
  ]);
}

export function chainHash(prevHash: string, row: Omit<AuditRow, 'hash' | 'prev_hash'>): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonicalRow(row)).digest('hex');
}

/**
 * The audit log: every SecurityEvent becomes one row. Events are queued in memory and written
 * by one writer per process, in batches. The writer keeps the chain's head (last id and hash) in
 * memory and appends a batch as ids head+1… in one statement. Ids are the primary key, so when
 * another instance has extended the chain since, the append fails as a whole on a duplicate id:
 * the writer then reads the head again and retries. Every instance thus extends one contiguous
 * chain, and the usual append is one round trip (it was a transaction of five under an advisory
 * lock). A failing database delays rows (retried), it never fails the request that emitted them.
 *
 * `exclusive`: this process is the only one that can write the database (the embedded one,
 * whose directory it holds locked), so no append can conflict.
 */
export class AuditLog {
  private pending: SecurityEventWithTime[] = [];
  private writing: Promise<void> | undefined;
  private dropped = 0;
  private closed = false;
  private head: { id: number; hash: string } | undefined;
  /** Set while someone waits for the queue to empty: the writer then stops gathering. */
  private flushing = false;

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    private readonly exclusive = false,
  ) {}

  /** Events waiting to be written (a growing number means the database is not keeping up). */
  get backlog(): number {
    return this.pending.length;
  }

  record(event: SecurityEvent): void {
    if (this.closed) return;
    if (this.pending.length >= MAX_PENDING) {
      if (this.dropped++ === 0) this.logger.error('audit log backlog full: dropping events until the database catches up');
      return;
    }
    this.pending.push({ event, at: new Date() });
    this.writing ??= this.drain();
  }

  /** Resolves once every event recorded so far is written (tests, shutdown). */
  async flush(): Promise<void> {
    // SecurityEvents calls listeners on a later microtask: let events emitted so far arrive first.
    await new Promise((resolve) => setImmediate(resolve));
    this.flushing = true;
    try {
      while (this.writing !== undefined) await this.writing;
    } finally {
      this.flushing = false;
    }
  }

  /** Writes what is queued; if the database is failing, gives up after one more attempt instead of hanging shutdown. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
    if (this.pending.length > 0) this.logger.error({ lost: this.pending.length }, 'audit events could not be written before shutdown');
  }

  async list(filter: AuditFilter): Promise<AuditRow[]> {
    let query = this.db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(filter.limit);
    if (filter.projectId !== undefined) query = query.where('project_id', '=', filter.projectId);
    if (filter.userId !== undefined) query = query.where('user_id', '=', filter.userId);
    if (filter.action !== undefined) {
      query = filter.action.endsWith('*')
        ? query.where('action', 'like', `${filter.action.slice(0, -1).replace(/[\\%_]/g, '\\$&')}%`)
        : query.where('action', '=', filter.action);
    }
    if (filter.actor !== undefined) query = query.where(sql<string>`detail ->> 'actor'`, '=', filter.actor);
    if (filter.since !== undefined) query = query.where('created_at', '>=', filter.since);
    if (filter.until !== undefined) query = query.where('created_at', '<', filter.until);
    if (filter.before !== undefined) query = query.where('id', '<', filter.before);
    return query.execute();
  }

  /** Rows after `afterId`, oldest first (for `audit tail --follow`). */
  after(afterId: number, limit: number): Promise<AuditRow[]> {
    return this.db.selectFrom('audit_log').selectAll().where('id', '>', afterId).orderBy('id').limit(limit).execute();
  }

  /** Recomputes the whole chain: ids contiguous from 1, each prev_hash the previous hash, each hash its row's. */
  async verify(): Promise<VerifyResult> {
    let prev = GENESIS_HASH;
    let expectedId = 1;
    for (;;) {
      const rows = await this.after(expectedId - 1, 1000);
      for (const row of rows) {
        const bad = (reason: string): VerifyResult => ({
          ok: false,
          rows: expectedId - 1,
          head: prev,
          firstBad: { id: row.id, reason, row },
        });
        if (row.id !== expectedId) return bad(`row ${expectedId} is missing`);
        if (row.prev_hash !== prev) return bad('prev_hash does not match the previous row (a row was removed or replaced)');
        if (chainHash(prev, row) !== row.hash) return bad('hash does not match the row (the row was edited)');
        prev = row.hash;
        expectedId += 1;
      }
      if (rows.length < 1000) return { ok: true, rows: expectedId - 1, head: prev };
    }
  }

  private async drain(): Promise<void> {
    try {
      if (!this.flushing && !this.closed) await new Promise((resolve) => setTimeout(resolve, GATHER_MS).unref());
      while (this.pending.length > 0) {
        const batch = this.pending.slice(0, BATCH);
        try {
          await this.append(batch);
          this.pending.splice(0, batch.length);
          if (this.dropped > 0) {
            this.logger.warn({ dropped: this.dropped }, 'audit log caught up; some events were dropped');
            this.dropped = 0;
          }
        } catch (error) {
          this.logger.error({ err: error }, 'writing the audit log failed; retrying');
          if (this.closed) break;
          await new Promise((resolve) => setTimeout(resolve, 1000));
        }
      }
    } finally {
      this.writing = undefined;
    }
  }

  private async append(batch: readonly SecurityEventWithTime[]): Promise<void> {
    for (let conflicts = 0; ; conflicts += 1) {
      this.head ??= await this.readHead(this.db);
      try {
        // The head moves only once the rows are in: a failed insert is retried from a fresh head.
        this.head = await this.insertAfter(this.db, this.head, batch);
        return;
      } catch (error) {
        this.head = undefined;
        if (this.exclusive || conflicts >= MAX_CONFLICTS || !isUniqueViolation(error, 'audit_log_pkey')) throw error;
      }
    }
  }

  private async readHead(db: Db): Promise<{ id: number; hash: string }> {
    const head = await db.selectFrom('audit_log').select(['id', 'hash']).orderBy('id', 'desc').limit(1).executeTakeFirst();
    return head ?? { id: 0, hash: GENESIS_HASH };
  }

  /** Chains the batch onto `head` and inserts it; answers the new head. */
  private async insertAfter(
    db: Db,
    head: { id: number; hash: string },
    batch: readonly SecurityEventWithTime[],
  ): Promise<{ id: number; hash: string }> {
    let { id, hash: prev } = head;
    const rows = batch.map(({ event, at }) => {
      id += 1;
      const row = toRow(id, at, event);
      const hash = chainHash(prev, row);
      const full = { ...row, prev_hash: prev, hash };
      prev = hash;
      return full;
    });
    await runHot(db, APPEND, [JSON.stringify(rows)]);
    return { id, hash: prev };
  }
}

/** A batch of chained rows in one statement, whatever its size (one prepared statement). */
const APPEND: HotStatement = {
  name: 'gh_audit_append',
  text: `INSERT INTO audit_log (id, created_at, action, outcome, project_id, user_id, client_id, session_id, remote_address, user_agent, detail, prev_hash, hash)
    SELECT id, created_at, action, outcome, project_id, user_id, client_id, session_id, remote_address, user_agent, detail, prev_hash, hash
    FROM jsonb_to_recordset($1::jsonb) AS r(id bigint, created_at timestamptz, action text, outcome text, project_id text, user_id text,
      client_id text, session_id text, remote_address text, user_agent text, detail jsonb, prev_hash text, hash text)`,
};

interface SecurityEventWithTime {
  readonly event: SecurityEvent;
  readonly at: Date;
}

function toRow(id: number, at: Date, event: SecurityEvent): Omit<AuditRow, 'hash' | 'prev_hash'> {
  return {
    id,
    created_at: at,
    action: event.action.slice(0, 100),
    outcome: event.outcome,
    project_id: event.projectId ?? null,
    user_id: event.userId ?? null,
    client_id: event.clientId ?? null,
    session_id: event.sessionId ?? null,
    remote_address: event.remoteAddress ?? null,
    user_agent: event.userAgent?.slice(0, 512) ?? null,
    // Round-trip through JSON so the hash covers exactly what jsonb will give back.
    detail: JSON.parse(JSON.stringify(scrub(event.detail ?? {}))) as Record<string, unknown>,
  };
}

/** Events promise to carry no secret; this is the second line of defence. */
function scrub(value: unknown, depth = 0): unknown {
  if (depth > 5) return '[truncated]';
  if (Array.isArray(value)) return value.slice(0, 50).map((item) => scrub(item, depth + 1));
  if (value === null || typeof value !== 'object') return typeof value === 'string' ? value.slice(0, 1000) : value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = SECRET_KEY.test(key) ? '[redacted]' : scrub(item, depth + 1);
  return out;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
  );
}
