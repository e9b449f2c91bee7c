import { parse, protocol, type PGlite, type Results } from '@electric-sql/pglite';

type BackendMessage = Awaited<ReturnType<PGlite['execProtocol']>>['messages'][number];

interface Prepared {
  readonly name: string;
  readonly paramTypes: readonly number[];
  /** The statement's RowDescription, which the results need to be read; absent for no rows. */
  readonly rowDescription: BackendMessage | undefined;
}

/** Named statements kept prepared at most; the least recently used one is closed first. */
const MAX_PREPARED = 200;
/** "cached plan must not change result type": a table changed under a prepared statement. */
const PLAN_CHANGED = '0A000';

/**
 * Runs parameterized SQL on PGlite as named prepared statements. PGlite's own `query()` parses,
 * plans and describes every statement anew in six protocol round trips; on PGlite's WASM
 * Postgres planning alone costs 1–2 ms for a join, which made every sign-in pay ~4 ms of SQL on
 * the event loop. A statement is prepared once per SQL text (Kysely produces the same text for
 * the same query shape), after which each run is one Bind/Execute/Sync round trip on a cached
 * plan. Values are serialized and results parsed with PGlite's own type handlers, so answers are
 * identical to `query()`'s. The caller serializes access (the dialect's mutex).
 */
export class PreparedStatements {
  private readonly prepared = new Map<string, Prepared>();
  private counter = 0;

  constructor(private readonly pglite: PGlite) {}

  async run<R>(text: string, values: readonly unknown[]): Promise<Results<R>> {
    const statement = this.prepared.get(text) ?? (await this.prepare(text));
    // Refresh its place in the LRU order.
    this.prepared.delete(text);
    this.prepared.set(text, statement);
    const { serialize } = protocol;
    const message = concat([
      serialize.bind({
        statement: statement.name,
        values: values.map((value, index) => this.serialized(value, statement.paramTypes[index])),
      }),
      serialize.execute({}),
      serialize.sync(),
    ]);
    let messages: BackendMessage[];
    try {
      ({ messages } = await this.pglite.execProtocol(message));
    } catch (error) {
      if ((error as { code?: unknown }).code === PLAN_CHANGED) await this.forget(text);
      throw error;
    }
    const withRows = statement.rowDescription === undefined ? messages : [statement.rowDescription, ...messages];
    return parse.parseResults(withRows, this.pglite.parsers)[0] as Results<R>;
  }

  /** Closes every prepared statement (after DDL, whose effects a cached plan may not follow). */
  async reset(): Promise<void> {
    if (this.prepared.size === 0) return;
    this.prepared.clear();
    await this.pglite.execProtocol(protocol.serialize.query('DEALLOCATE ALL'));
  }

  private async prepare(text: string): Promise<Prepared> {
    const { serialize } = protocol;
    const parts: Uint8Array[] = [];
    if (this.prepared.size >= MAX_PREPARED) {
      const [oldest, evicted] = this.prepared.entries().next().value as [string, Prepared];
      this.prepared.delete(oldest);
      parts.push(serialize.close({ type: 'S', name: evicted.name }));
    }
    this.counter += 1;
    const name = `gh_${this.counter}`;
    parts.push(serialize.parse({ name, text }), serialize.describe({ type: 'S', name }), serialize.sync());
    const { messages } = await this.pglite.execProtocol(concat(parts));
    const parameters = messages.find((message) => message.name === 'parameterDescription') as { dataTypeIDs?: number[] } | undefined;
    const statement: Prepared = {
      name,
      paramTypes: parameters?.dataTypeIDs ?? [],
      rowDescription: messages.find((message) => message.name === 'rowDescription'),
    };
    this.prepared.set(text, statement);
    return statement;
  }

  private async forget(text: string): Promise<void> {
    const statement = this.prepared.get(text);
    if (statement === undefined) return;
    this.prepared.delete(text);
    await this.pglite.execProtocol(concat([protocol.serialize.close({ type: 'S', name: statement.name }), protocol.serialize.sync()]));
  }

  /** As PGlite's query() does it: the parameter type's serializer, else the value's text. */
  private serialized(value: unknown, type: number | undefined): string | null {
    if (value === null || value === undefined) return null;
    const serializer = type === undefined ? undefined : this.pglite.serializers[type];
    return serializer === undefined ? String(value) : serializer(value);
  }
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
