import type { DatabaseConnection, Dialect, Driver, Kysely, QueryCompiler, TransactionSettings } from 'kysely';
import { ErrorCode, GatehouseError } from '../core/errors.ts';

/**
 * The last line behind the HTTP input boundary (http/input-boundary.ts): PostgreSQL cannot store
 * a NUL in text, and refused one with an error that surfaced as a 500. Every statement's
 * parameters are checked before it is sent, and the server's own refusal of text it cannot
 * store (a NUL escape inside jsonb, an untranslatable character) is turned into the same
 * Validation error, which every contract renders as a 4xx, never a 500.
 */
const UNSTORABLE_TEXT = new Set([
  '22021', // character_not_in_repertoire: invalid byte sequence for encoding "UTF8": 0x00
  '22P05', // untranslatable_character: unsupported Unicode escape sequence (\u0000 in jsonb)
]);

function unstorable(): GatehouseError {
  return new GatehouseError(ErrorCode.Validation, 'The input contains text that cannot be stored', {
    fields: [{ field: 'input', message: 'must not contain a NUL character' }],
  });
}

/** Throws a Validation error when a parameter holds a NUL (also inside an array parameter). */
export function assertStorable(values: readonly unknown[]): void {
  for (const value of values) {
    if (typeof value === 'string' ? value.includes('\u0000') : Array.isArray(value) && hasNul(value)) throw unstorable();
  }
}

function hasNul(values: readonly unknown[]): boolean {
  return values.some((value) => (typeof value === 'string' ? value.includes('\u0000') : Array.isArray(value) && hasNul(value)));
}

/** The driver's error, or a Validation error when the server refused text it cannot store. */
export function storableError(error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && UNSTORABLE_TEXT.has(code) ? unstorable() : error;
}

/** Runs one statement with both guards. */
export async function guarded<T>(values: readonly unknown[], run: () => Promise<T>): Promise<T> {
  assertStorable(values);
  try {
    return await run();
  } catch (error) {
    throw storableError(error);
  }
}

/** A Kysely dialect whose every statement (queries and transactions alike) runs through `guarded`. */
export class TextGuardDialect implements Dialect {
  constructor(private readonly inner: Dialect) {}

  createAdapter(): ReturnType<Dialect['createAdapter']> {
    return this.inner.createAdapter();
  }

  createDriver(): Driver {
    return new TextGuardDriver(this.inner.createDriver());
  }

  createIntrospector(db: Kysely<unknown>): ReturnType<Dialect['createIntrospector']> {
    return this.inner.createIntrospector(db);
  }

  createQueryCompiler(): QueryCompiler {
    return this.inner.createQueryCompiler();
  }
}

/**
 * Wraps the connections the inner driver hands out; the inner driver always gets its own
 * connection object back (its methods may read private state of it).
 */
class TextGuardDriver implements Driver {
  private readonly inners = new WeakMap<DatabaseConnection, DatabaseConnection>();

  constructor(private readonly inner: Driver) {}

  init(): Promise<void> {
    return this.inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await this.inner.acquireConnection();
    const wrapper: DatabaseConnection = {
      executeQuery: (compiled) => guarded(compiled.parameters, () => connection.executeQuery(compiled)),
      streamQuery: (compiled, chunkSize) => {
        assertStorable(compiled.parameters);
        return connection.streamQuery(compiled, chunkSize);
      },
    };
    this.inners.set(wrapper, connection);
    return wrapper;
  }

  private unwrap(connection: DatabaseConnection): DatabaseConnection {
    return this.inners.get(connection) ?? connection;
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.inner.beginTransaction(this.unwrap(connection), settings);
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.commitTransaction(this.unwrap(connection));
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.rollbackTransaction(this.unwrap(connection));
  }

  async savepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    if (this.inner.savepoint === undefined) throw new Error('savepoints are not supported by this driver');
    await this.inner.savepoint(this.unwrap(connection), name, compile);
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    if (this.inner.rollbackToSavepoint === undefined) throw new Error('savepoints are not supported by this driver');
    await this.inner.rollbackToSavepoint(this.unwrap(connection), name, compile);
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    if (this.inner.releaseSavepoint === undefined) throw new Error('savepoints are not supported by this driver');
    await this.inner.releaseSavepoint(this.unwrap(connection), name, compile);
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    const inner = this.unwrap(connection);
    this.inners.delete(connection);
    return this.inner.releaseConnection(inner);
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}
