import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * With DATABASE_URL, each server gets a database of its own, created on that server for this
 * run and dropped after, so a run never reads or damages data it did not make. Without it,
 * servers use embedded PGlite directories and nothing here does anything.
 */
export class Databases {
  private readonly created = new Map<string, string>();
  private readonly suffix = `${process.pid}_${randomBytes(3).toString('hex')}`;

  constructor(private readonly serverUrl: string | undefined) {}

  get kind(): 'pglite' | 'postgres' {
    return this.serverUrl === undefined ? 'pglite' : 'postgres';
  }

  /** The new database's URL, or undefined when running embedded. */
  async create(label: string): Promise<string | undefined> {
    if (this.serverUrl === undefined) return undefined;
    const name = `bench_${label}_${this.suffix}`;
    await this.admin(`CREATE DATABASE ${name}`);
    this.created.set(label, name);
    const url = new URL(this.serverUrl);
    url.pathname = `/${name}`;
    return url.toString();
  }

  async drop(label: string): Promise<void> {
    const name = this.created.get(label);
    if (name === undefined) return;
    this.created.delete(label);
    // FORCE: a server that died mid-run may still hold connections.
    await this.admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }

  async dropAll(): Promise<void> {
    for (const label of [...this.created.keys()]) await this.drop(label);
  }

  /**
   * The PostgreSQL server processes working for one database now: its backends, and the WAL
   * writer, background writer and checkpointer, which every database shares (their CPU here is
   * small). Empty when running embedded.
   */
  async serverPids(label: string): Promise<number[]> {
    const name = this.created.get(label);
    if (name === undefined || this.serverUrl === undefined) return [];
    const client = new pg.Client({ connectionString: this.serverUrl });
    await client.connect();
    try {
      const result = await client.query<{ pid: number }>(
        "SELECT pid FROM pg_stat_activity WHERE (datname = $1 AND pid <> pg_backend_pid()) OR backend_type IN ('walwriter', 'background writer', 'checkpointer')",
        [name],
      );
      return result.rows.map((row) => row.pid);
    } finally {
      await client.end();
    }
  }

  private async admin(sql: string): Promise<void> {
    const client = new pg.Client({ connectionString: this.serverUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }
}
