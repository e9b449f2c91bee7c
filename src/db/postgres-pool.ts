import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import pg from 'pg';
import { asUnavailable, outageKind } from './unavailable.ts';

export interface PoolLimits {
  /** Connections at most. */
  readonly max: number;
  /** Longest wait for a connection (free one or new one) before Unavailable. */
  readonly connectTimeoutMs: number;
  /** Server-side statement_timeout; the client gives up on a silent server a little after it. */
  readonly statementTimeoutMs: number;
}

/** The client stops waiting for an answer this long after the server should have cancelled it. */
const READ_GRACE_MS = 2000;
/** Raw sessions (migrations, scripts) run without the statement timeout: they may wait for a lock. */
const RAW_READ_TIMEOUT_MS = 2 ** 31 - 1;

type Types = NonNullable<pg.PoolConfig['types']>;

/**
 * node-postgres's Pool, guarded for outages (issue 12): every wait is bounded (pool wait, statement
 * timeout, read timeout, TCP keep-alive), a connection that failed at the connection level is
 * destroyed on release instead of being handed out again, and such failures reach the caller as
 * `ErrorCode.Unavailable` (unavailable.ts). Nothing else holds a connection between requests (no
 * LISTEN client; prepared statements live and die with their connection), so once PostgreSQL is
 * back the next request opens a fresh connection: recovery needs no restart.
 */
export class GuardedPool implements PostgresPool {
  readonly pool: pg.Pool;
  private readonly clients = new WeakMap<pg.PoolClient, GuardedClient>();

  constructor(connectionString: string, limits: PoolLimits, types: Types) {
    this.pool = new pg.Pool({
      connectionString,
      // Named in pg_stat_activity; `?application_name=` in DATABASE_URL overrides it.
      application_name: 'gatehouse',
      max: limits.max,
      connectionTimeoutMillis: limits.connectTimeoutMs,
      statement_timeout: limits.statementTimeoutMs,
      query_timeout: limits.statementTimeoutMs + READ_GRACE_MS,
      keepAlive: true,
      types,
    });
    // An idle client that loses its server must not crash the process; the pool drops it.
    this.pool.on('error', () => undefined);
    // Wrapped as soon as it exists: the server may end a connection in the same network read that
    // completed its start-up, before the caller of connect() runs (see GuardedClient).
    this.pool.on('connect', (client: pg.PoolClient) => this.clients.set(client, new GuardedClient(client)));
  }

  async connect(): Promise<GuardedClient> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw asUnavailable(error);
    }
    let guarded = this.clients.get(client);
    if (guarded === undefined) {
      guarded = new GuardedClient(client);
      this.clients.set(client, guarded);
    }
    return guarded;
  }

  /** One statement on a connection of its own (the hot statements: named, prepared per connection). */
  async query(config: pg.QueryConfig): Promise<pg.QueryResult> {
    const client = await this.connect();
    try {
      return await client.run(config);
    } finally {
      client.release();
    }
  }

  end(): Promise<void> {
    return this.pool.end();
  }
}

export class GuardedClient implements PostgresPoolClient {
  /**
   * Set when the connection failed (a statement failed with it, or the server ended it): it is
   * destroyed on release. Never cleared: a connection that failed once is not used again.
   */
  lost: Error | undefined;

  constructor(private readonly client: pg.PoolClient) {
    // A connection the server ends between two statements (pg_terminate_backend, a restart) emits
    // 'error' on its client; pg-pool listens only while the client is idle, and an 'error' with no
    // listener would end the process (seen in the outage test). Remembered, the connection is
    // destroyed on release.
    client.on('error', (error: Error) => {
      this.lost ??= error;
    });
  }

  query<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>>;
  query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
  query<R>(
    sqlOrCursor: string | PostgresCursor<R>,
    parameters?: ReadonlyArray<unknown>,
  ): Promise<PostgresQueryResult<R>> | PostgresCursor<R> {
    if (typeof sqlOrCursor !== 'string') return this.client.query(sqlOrCursor as never) as PostgresCursor<R>;
    return this.run({ text: sqlOrCursor, values: [...(parameters ?? [])] }) as Promise<PostgresQueryResult<R>>;
  }

  async run(config: pg.QueryConfig): Promise<pg.QueryResult> {
    try {
      return await this.client.query(config);
    } catch (error) {
      if (outageKind(error) === 'lost') this.lost = error as Error;
      throw asUnavailable(error);
    }
  }

  /** A migration or script: no statement timeout on this connection until `endRaw`. */
  async beginRaw(): Promise<void> {
    await this.run({ text: 'SET statement_timeout = 0' });
  }

  runRaw(text: string, values?: unknown[]): Promise<pg.QueryResult | pg.QueryResult[]> {
    const config = { text, ...(values !== undefined && { values }), query_timeout: RAW_READ_TIMEOUT_MS };
    return this.run(config) as Promise<pg.QueryResult | pg.QueryResult[]>;
  }

  async endRaw(): Promise<void> {
    // Back to the connection's own setting (the startup parameter), before others use it.
    await this.run({ text: 'RESET statement_timeout' }).catch((error: unknown) => {
      this.lost ??= error as Error;
    });
  }

  release(): void {
    // pg-pool destroys a client released with an error (and one it already knows is broken).
    this.client.release(this.lost);
  }
}
