import { CompiledQuery } from 'kysely';
import type { Db } from './connection.ts';

/** A fixed SQL text run on every request of a hot path (sign-in, sign-up, the audit writer). */
export interface HotStatement {
  /** Unique per text: the name it is prepared under on each PostgreSQL connection. */
  readonly name: string;
  readonly text: string;
}

export type HotRunner = (statement: HotStatement, values: readonly unknown[]) => Promise<Record<string, unknown>[]>;

const runners = new WeakMap<Db, HotRunner>();

/** Called by connection.ts for each database it opens: `run` then goes straight to the driver. */
export function registerHotRunner(db: Db, runner: HotRunner): void {
  runners.set(db, runner);
}

/**
 * Runs a hot statement straight on the driver, as a named prepared statement: parsed and planned
 * once per connection, then only bound and executed. Building and compiling the same query with
 * Kysely cost ~0.6 ms of event loop per sign-in, and PostgreSQL re-planned unnamed statements on
 * every call. Rows come back exactly as through Kysely (same driver, same type parsers). A Db
 * without a runner (a transaction) runs the text through Kysely.
 */
export async function runHot<R>(db: Db, statement: HotStatement, values: readonly unknown[]): Promise<R[]> {
  const runner = runners.get(db);
  if (runner !== undefined) return (await runner(statement, values)) as R[];
  return (await db.executeQuery<R>(CompiledQuery.raw(statement.text, [...values]))).rows as R[];
}
