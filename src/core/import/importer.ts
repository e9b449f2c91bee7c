import { randomUUID } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { sql } from 'kysely';
import type { DatabaseHandle, Db } from '../../db/connection.ts';
import type { SecurityEvents } from '../events.ts';
import type { SealedSecrets } from '../sealed-secrets.ts';
import type { Lifecycle } from '../lifecycle/index.ts';
import type { PasswordHasher } from '../passwords.ts';
import type { SignInPasswords } from '../sign-in-passwords.ts';
import { ErrorCode, GatehouseError } from '../errors.ts';
import { currentCost, NO_PASSWORD } from '../password-formats.ts';
import type { Project, Projects } from '../projects.ts';
import { validateUser, type ValidUser } from './canonical.ts';
import { CsvHeaderError } from './formats/csv.ts';
import { fastapiFormat } from './formats/fastapi.ts';
import { gatehouseFormat } from './formats/gatehouse.ts';
import { laravelApiKeys, laravelFormat } from './formats/laravel.ts';
import { medplumFormat } from './formats/medplum.ts';
import { ImportWriter, type BatchResult } from './writer.ts';
import type { FailedLine, ImportFormat, ImportReport, KeyItem, SourceItem } from './types.ts';

/** Users per insert statement: large enough to amortize a round trip, small enough to keep memory flat. */
export const BATCH_SIZE = 1000;
/** The report lists at most this many failed lines (failedCount counts them all). */
export const MAX_FAILED_LISTED = 10_000;

const FORMATS: Record<ImportFormat, (input: Readable) => AsyncGenerator<SourceItem>> = {
  gatehouse: gatehouseFormat,
  laravel: laravelFormat,
  fastapi: fastapiFormat,
  medplum: medplumFormat,
};

/** What an import uses (the Core has all of it). */
export interface ImportServices {
  readonly database: Pick<DatabaseHandle, 'db' | 'kind'>;
  readonly projects: Pick<Projects, 'get'>;
  readonly hasher: Pick<PasswordHasher, 'settings'>;
  readonly signInPasswords: Pick<SignInPasswords, 'timing'>;
  readonly lifecycle: Pick<Lifecycle, 'passwordReset'>;
  /** The core's sealed secrets (configured and previous keys): imported TOTP secrets are sealed like enrolled ones. */
  readonly secrets: Pick<SealedSecrets, 'box'>;
  readonly events: Pick<SecurityEvents, 'emit'>;
}

export interface ImportProgress {
  readonly lines: number;
  readonly bytes: number;
  readonly imported: number;
  readonly skipped: number;
  readonly failed: number;
}

export interface ImportOptions {
  readonly projectId: string;
  readonly format?: ImportFormat;
  /** A Laravel import's API keys file (`user_id, name, sha256, is_primary`). */
  readonly apiKeys?: Readable;
  /** Check everything, write nothing (the import runs in a transaction that is rolled back). */
  readonly dryRun?: boolean;
  /** All or nothing: one transaction, committed only when no line failed. */
  readonly atomic?: boolean;
  /** Send a password-reset email to each imported user without a password hash. */
  readonly sendReset?: boolean;
  readonly onProgress?: (progress: ImportProgress) => void;
  /** Who asked, for the audit log. */
  readonly via?: 'cli' | 'admin';
  readonly remoteAddress?: string;
}

/** Signals the end of a dry run or of a failed atomic import: the transaction is rolled back. */
class RollBack extends Error {}

/**
 * Streams a user export into a project: reads it line by line in one of the supported formats,
 * validates every line (a bad one is reported and the rest go on), inserts in batches, and answers
 * `{imported, skipped, failed, durationMs}`. Memory stays flat whatever the file's size: one batch
 * is held at a time (Medplum exports keep unmatched resources until their partners come).
 */
export async function importUsers(core: ImportServices, input: Readable, options: ImportOptions): Promise<ImportReport> {
  const started = performance.now();
  const project = await core.projects.get(options.projectId);
  const dryRun = options.dryRun === true;
  const atomic = options.atomic === true;
  const format = options.format ?? 'gatehouse';
  if (options.apiKeys !== undefined && format !== 'laravel') {
    throw new GatehouseError(ErrorCode.Validation, 'An API keys file goes with --format laravel only', {
      fields: [{ field: 'apiKeys', message: 'only with the laravel format' }],
    });
  }
  const db = core.database.db;
  const { box } = core.secrets;
  const writer = new ImportWriter({
    projectId: project.id,
    runId: randomUUID(),
    dryRun,
    sealTotp: (secret, userId) => box.seal(secret, userId),
  });
  const ownCost = currentCost(core.hasher.settings);
  const bypassTriggers = await canSkipTriggers(db);

  const report: ImportReport = { imported: 0, skipped: 0, failed: [], failedCount: 0, dryRun, atomic, rolledBack: false, durationMs: 0 };
  const counter = { bytes: 0, lines: 0 };
  const fail = (failed: FailedLine): void => {
    report.failedCount += 1;
    if (report.failed.length < MAX_FAILED_LISTED) report.failed.push(failed);
  };
  const progress = (): void =>
    options.onProgress?.({
      lines: counter.lines,
      bytes: counter.bytes,
      imported: report.imported,
      skipped: report.skipped,
      failed: report.failedCount,
    });
  const resetEmails: string[] = [];

  let batches = 0;
  /** One batch: users, then the hash classes of those inserted, in the given transaction. */
  const writeBatch = async (trx: Db, users: ValidUser[]): Promise<BatchResult> => {
    if (bypassTriggers) await sql`SET LOCAL session_replication_role = replica`.execute(trx);
    batches += 1;
    // Planner statistics as the tables grow (after batches 1, 2, 4, 8, ...): with the counts of an
    // empty table the planner checks each batch's ids by scanning whole tables, which grows with
    // every batch. Autovacuum comes too late for a bulk load, and the embedded database has none.
    if ((batches & (batches - 1)) === 0) await sql`ANALYZE users, profiles, api_keys`.execute(trx);
    const result = await writer.writeUsers(trx, users);
    const classes = new Map<string, { count: number; sample: string }>();
    for (const user of users) {
      if (user.hashCost === null || user.hashCost === ownCost || !result.lines.has(user.line)) continue;
      const entry = classes.get(user.hashCost);
      if (entry === undefined) classes.set(user.hashCost, { count: 1, sample: user.passwordHash });
      else entry.count += 1;
    }
    await writer.recordHashClasses(trx, classes);
    return result;
  };
  const absorb = (users: readonly ValidUser[], result: BatchResult): void => {
    report.imported += result.imported;
    report.skipped += result.skipped;
    for (const failed of result.failed) fail(failed);
    if (options.sendReset === true && !dryRun) {
      for (const user of users)
        if (user.passwordHash === NO_PASSWORD && user.isActive && result.lines.has(user.line)) resetEmails.push(user.email);
    }
    progress();
  };

  const readAll = async (write: (users: ValidUser[]) => Promise<void>, flushAll: () => Promise<void>): Promise<void> => {
    const counted = countBytes(input, counter);
    let batch: ValidUser[] = [];
    const taken = new BatchKeys();
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      const users = batch;
      batch = [];
      taken.clear();
      await write(users);
    };
    for await (const item of FORMATS[format](counted)) {
      counter.lines = Math.max(counter.lines, item.line);
      if ('failed' in item) {
        fail(item.failed);
        continue;
      }
      const checked = validateUser(item.line, item.value);
      if (!checked.ok) {
        fail(checked.failed);
        continue;
      }
      // A line that collides with one in this batch goes into the next, where the database tells which one holds the value.
      if (taken.collides(checked.user)) await flush();
      batch.push(checked.user);
      taken.add(checked.user);
      if (batch.length >= BATCH_SIZE) await flush();
    }
    await flush();
    await flushAll();
  };

  const readKeys = async (trx: Db): Promise<void> => {
    if (options.apiKeys !== undefined) report.apiKeysImported = await writeKeysFile(writer, trx, options.apiKeys, fail);
  };

  // One batch is written while the next is read and checked; batches are written in order, one
  // at a time, so which of two lines claiming one email came first is always the file's order.
  const pipelined = (writeOne: (users: ValidUser[]) => Promise<BatchResult>) => {
    let previous: Promise<void> = Promise.resolve();
    return {
      write: async (users: ValidUser[]): Promise<void> => {
        await previous;
        previous = writeOne(users).then((result) => absorb(users, result));
        // A failure surfaces at the next write or at drain; never unobserved.
        previous.catch(() => undefined);
      },
      drain: () => previous,
    };
  };
  try {
    if (dryRun || atomic) {
      await db.transaction().execute(async (trx) => {
        const pipe = pipelined((users) => withSavepoint(trx, () => writeBatch(trx, users)));
        await readAll(pipe.write, async () => {
          await pipe.drain();
          await readKeys(trx);
        });
        if (dryRun || report.failedCount > 0) throw new RollBack();
      });
    } else {
      const pipe = pipelined((users) => retried(() => db.transaction().execute((trx) => writeBatch(trx, users))));
      await readAll(pipe.write, async () => {
        await pipe.drain();
        await db.transaction().execute((trx) => readKeys(trx));
      });
    }
  } catch (error) {
    if (error instanceof CsvHeaderError)
      throw new GatehouseError(ErrorCode.Validation, `The file is not a ${format} export: ${error.message}`, {
        fields: [{ field: 'file', message: error.message }],
      });
    if (!(error instanceof RollBack)) throw error;
    report.rolledBack = true;
    if (!dryRun) {
      report.imported = 0;
      report.apiKeysImported = 0;
    }
  }
  core.signInPasswords.timing.forget(project.id);
  for (const email of report.rolledBack ? [] : resetEmails) core.lifecycle.passwordReset.request(project, email);
  report.failed.sort((a, b) => (a.file === b.file ? a.line - b.line : a.file === undefined ? -1 : 1));
  report.durationMs = Math.round(performance.now() - started);
  progress();
  emitEvent(core, project, report, options, format);
  return report;
}

/** A keys file's rows, in batches, for users already imported (found by number); answers the keys added. */
async function writeKeysFile(writer: ImportWriter, trx: Db, input: Readable, fail: (failed: FailedLine) => void): Promise<number> {
  let batch: Array<Extract<KeyItem, { key: unknown }>> = [];
  let imported = 0;
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const result = await writer.writeKeys(trx, batch);
    imported += result.imported;
    result.failed.forEach(fail);
    batch = [];
  };
  for await (const item of laravelApiKeys(input)) {
    if ('failed' in item) fail(item.failed);
    else batch.push(item);
    if (batch.length >= BATCH_SIZE) await flush();
  }
  await flush();
  await writer.finishKeys(trx);
  return imported;
}

/**
 * A Laravel keys file alone, for users imported before (the admin API takes one body per
 * request). One transaction; with dryRun, rolled back.
 */
export async function importApiKeys(
  core: ImportServices,
  input: Readable,
  options: Pick<ImportOptions, 'projectId' | 'dryRun' | 'via' | 'remoteAddress'>,
): Promise<ImportReport> {
  const started = performance.now();
  const project = await core.projects.get(options.projectId);
  const dryRun = options.dryRun === true;
  const writer = new ImportWriter({ projectId: project.id, runId: randomUUID(), dryRun, sealTotp: () => '' });
  const report: ImportReport = {
    imported: 0,
    skipped: 0,
    failed: [],
    failedCount: 0,
    apiKeysImported: 0,
    dryRun,
    atomic: true,
    rolledBack: false,
    durationMs: 0,
  };
  const fail = (failed: FailedLine): void => {
    report.failedCount += 1;
    if (report.failed.length < MAX_FAILED_LISTED) report.failed.push(failed);
  };
  try {
    await core.database.db.transaction().execute(async (trx) => {
      report.apiKeysImported = await writeKeysFile(writer, trx, input, fail);
      if (dryRun) throw new RollBack();
    });
  } catch (error) {
    if (error instanceof CsvHeaderError)
      throw new GatehouseError(ErrorCode.Validation, `The file is not an API keys file: ${error.message}`, {
        fields: [{ field: 'file', message: error.message }],
      });
    if (!(error instanceof RollBack)) throw error;
    report.rolledBack = true;
  }
  report.durationMs = Math.round(performance.now() - started);
  emitEvent(core, project, report, options, 'laravel-api-keys');
  return report;
}

function emitEvent(
  core: ImportServices,
  project: Project,
  report: ImportReport,
  options: Pick<ImportOptions, 'via' | 'remoteAddress'>,
  format: string,
): void {
  core.events.emit({
    action: 'admin.import',
    outcome: 'success',
    projectId: project.id,
    remoteAddress: options.remoteAddress,
    detail: {
      via: options.via ?? 'cli',
      format,
      imported: report.imported,
      skipped: report.skipped,
      failed: report.failedCount,
      dryRun: report.dryRun,
      atomic: report.atomic,
      rolledBack: report.rolledBack,
    },
  });
}

/**
 * Whether this connection may turn off the per-row foreign-key triggers for its import
 * transactions (superuser: always on the embedded database), as pg_restore --disable-triggers
 * does. Safe here because the insert statement itself guarantees every reference: the project
 * row is locked FOR KEY SHARE, and profiles, keys and factors are inserted only for the users the
 * same statement inserted. It halves the cost per row. Migrations that add triggers to users,
 * profiles, api_keys or mfa_factors must revisit this.
 */
async function canSkipTriggers(db: Db): Promise<boolean> {
  const { rows } = await sql<{ su: string }>`SELECT current_setting('is_superuser') AS su`.execute(db);
  return rows[0]?.su === 'on';
}

/** Runs a batch inside the import's transaction so that an error undoes only the batch, then tries it once more. */
async function withSavepoint<T>(trx: Db, work: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    await sql`SAVEPOINT import_batch`.execute(trx);
    try {
      const result = await work();
      await sql`RELEASE SAVEPOINT import_batch`.execute(trx);
      return result;
    } catch (error) {
      await sql`ROLLBACK TO SAVEPOINT import_batch`.execute(trx);
      if (attempt >= 2 || !isTransient(error)) throw error;
    }
  }
}

/** A batch that lost a race (a deadlock with a concurrent batch, a key inserted meanwhile) is run again. */
async function retried<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= 2 || !isTransient(error)) throw error;
    }
  }
}

function isTransient(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  // unique_violation (a concurrent writer), deadlock_detected, serialization_failure
  return code === '23505' || code === '40P01' || code === '40001';
}

function countBytes(input: Readable, counter: { bytes: number }): Readable {
  const counting = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      counter.bytes += chunk.length;
      done(null, chunk);
    },
  });
  input.on('error', (error) => counting.destroy(error));
  return input.pipe(counting);
}

/** The unique values of the users in the current batch: a second line with one of them waits for the next batch. */
class BatchKeys {
  private readonly values = new Set<string>();

  collides(user: ValidUser): boolean {
    return this.keys(user).some((key) => this.values.has(key));
  }

  add(user: ValidUser): void {
    for (const key of this.keys(user)) this.values.add(key);
  }

  clear(): void {
    this.values.clear();
  }

  private keys(user: ValidUser): string[] {
    const keys = [
      `e:${user.emailNormalized}`,
      `i:${user.id}`,
      `p:${user.profileId}`,
      `m:${user.membershipId}`,
      ...user.apiKeys.map((key) => `k:${key.sha256}`),
    ];
    if (user.account !== null) keys.push(`a:${user.account}`);
    if (user.number !== null) keys.push(`n:${user.number}`);
    return keys;
  }
}
