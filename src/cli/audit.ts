import type { Config } from '../config.ts';
import { AuditLog, type AuditRow } from '../core/audit.ts';
import { openDatabase } from '../db/connection.ts';
import { migrate } from '../db/migrate.ts';
import { createLogger } from '../http/logger.ts';
import { auditEntryView } from '../contracts/admin/audit.ts';
import type { Output } from './commands.ts';

/** Opens just the database and the audit log: reading the log needs no keys or services. */
async function withAudit<T>(config: Config, fn: (audit: AuditLog) => Promise<T>): Promise<T> {
  const quiet = { ...config, logLevel: 'warn' as const };
  const database = await openDatabase(quiet);
  try {
    await migrate(database);
    return await fn(new AuditLog(database.db, createLogger(quiet)));
  } finally {
    await database.close();
  }
}

function line(row: AuditRow): string {
  const who = [
    row.project_id && `project=${row.project_id}`,
    row.user_id && `user=${row.user_id}`,
    row.remote_address && `ip=${row.remote_address}`,
  ]
    .filter(Boolean)
    .join(' ');
  const detail = Object.keys(row.detail).length > 0 ? ` ${JSON.stringify(row.detail)}` : '';
  return `${row.created_at.toISOString()}  #${row.id}  ${row.action} ${row.outcome}  ${who}${detail}`;
}

/** `gatehouse audit tail [--limit N] [--follow] [--json]`: the newest rows, then (with --follow) new ones as they come. */
export async function auditTail(config: Config, out: Output, options: { limit: number; follow: boolean }): Promise<void> {
  await withAudit(config, async (audit) => {
    const show = (row: AuditRow): void => {
      // One JSON object per line, so `--follow --json` can be piped into jq.
      process.stdout.write(`${out.json ? JSON.stringify(auditEntryView(row)) : line(row)}\n`);
    };
    const newest = (await audit.list({ limit: options.limit })).reverse();
    newest.forEach(show);
    let lastId = newest[newest.length - 1]?.id ?? (await audit.list({ limit: 1 }))[0]?.id ?? 0;
    if (!options.follow) return;
    let stopped = false;
    const stop = (): void => {
      stopped = true;
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    while (!stopped) {
      const rows = await audit.after(lastId, 500);
      rows.forEach(show);
      lastId = rows[rows.length - 1]?.id ?? lastId;
      if (rows.length < 500) await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  });
}

/** `gatehouse audit verify`: recomputes the hash chain; exit code 1 and the first bad row if broken. */
export async function auditVerify(config: Config, out: Output): Promise<boolean> {
  return withAudit(config, async (audit) => {
    const result = await audit.verify();
    const bad = result.firstBad;
    out.print(
      {
        ok: result.ok,
        rows: result.rows,
        head: result.head,
        ...(bad && { firstBad: { id: bad.id, reason: bad.reason, row: bad.row && auditEntryView(bad.row) } }),
      },
      () =>
        bad === undefined
          ? `Audit chain intact: ${result.rows} rows, head ${result.head}`
          : `Audit chain BROKEN at row ${bad.id}: ${bad.reason}\n${bad.row ? JSON.stringify(auditEntryView(bad.row), null, 2) : ''}\n${result.rows} rows before it verified.`,
    );
    return result.ok;
  });
}
