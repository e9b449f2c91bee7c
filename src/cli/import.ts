import { createReadStream, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import cliProgress from 'cli-progress';
import type { Config } from '../config.ts';
import { DataDirLockedError } from '../db/lock.ts';
import { ErrorCode, GatehouseError } from '../core/errors.ts';
import { exportStream } from '../core/import/export.ts';
import { importUsers, type ImportProgress } from '../core/import/importer.ts';
import { IMPORT_FORMATS, type ImportFormat, type ImportReport } from '../core/import/types.ts';
import { withCore, type Output } from './commands.ts';

export interface ImportArgs {
  readonly projectId: string;
  readonly file: string;
  readonly format: string | undefined;
  readonly apiKeys: string | undefined;
  readonly dryRun: boolean;
  readonly atomic: boolean;
  readonly sendReset: boolean;
}

function usage(message: string): GatehouseError {
  return new GatehouseError(ErrorCode.Validation, message);
}

/** A file to read, checked up front so a typo is one clear line rather than a stack. */
function openInput(path: string, what: string): { stream: Readable; size: number | undefined } {
  if (path === '-') return { stream: process.stdin, size: undefined };
  let size: number;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw usage(`${what} ${path} is not a file`);
    size = stat.size;
  } catch (error) {
    if (error instanceof GatehouseError) throw error;
    throw usage(`Cannot read ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  return { stream: createReadStream(path), size };
}

/** A progress bar on stderr while importing from a terminal: bytes read against the file size, rows/s, ETA. */
function progressBar(size: number | undefined): { update(progress: ImportProgress): void; stop(): void } {
  const started = performance.now();
  const known = size !== undefined && size > 0;
  const bar = new cliProgress.SingleBar(
    {
      format: known
        ? 'importing [{bar}] {percentage}% | {rows} rows | {rate} rows/s | {failed} failed | ETA {eta_formatted}'
        : 'importing {rows} rows | {rate} rows/s | {failed} failed',
      stream: process.stderr,
      hideCursor: true,
      etaBuffer: 50,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(known ? size : 1, 0, { rows: 0, rate: 0, failed: 0 });
  return {
    update(progress) {
      const seconds = (performance.now() - started) / 1000;
      const payload = { rows: progress.lines, rate: seconds > 0 ? Math.round(progress.lines / seconds) : 0, failed: progress.failed };
      bar.update(known ? Math.min(progress.bytes, size) : 0, payload);
    },
    stop() {
      bar.stop();
    },
  };
}

function summary(report: ImportReport): string {
  const verb = report.dryRun ? 'Would import' : report.rolledBack ? 'Rolled back (--atomic, lines failed): would import' : 'Imported';
  const lines = [
    `${verb} ${report.imported} users, skipped ${report.skipped} already there, ${report.failedCount} failed lines (${(report.durationMs / 1000).toFixed(1)} s).`,
  ];
  if (report.apiKeysImported !== undefined) lines.push(`API keys from the keys file: ${report.apiKeysImported} imported.`);
  for (const failed of report.failed.slice(0, 20))
    lines.push(`  ${failed.file === undefined ? '' : `${failed.file} `}line ${failed.line}  ${failed.field}: ${failed.error}`);
  if (report.failedCount > 20)
    lines.push(
      `  ... and ${report.failedCount - 20} more (--json lists ${report.failed.length === report.failedCount ? 'all' : `the first ${report.failed.length}`})`,
    );
  return lines.join('\n');
}

/** `gatehouse import`: exit code 0 when every line was imported or already there, 1 when some failed. */
export async function runImport(config: Config, out: Output, args: ImportArgs): Promise<number> {
  const format = (args.format ?? 'gatehouse') as ImportFormat;
  if (!IMPORT_FORMATS.includes(format)) throw usage(`--format must be one of ${IMPORT_FORMATS.join(', ')}`);
  if (args.apiKeys !== undefined && format !== 'laravel') throw usage('--api-keys goes with --format laravel');
  const input = openInput(args.file, 'the file');
  const apiKeys = args.apiKeys === undefined ? undefined : openInput(args.apiKeys, 'the API keys file').stream;
  try {
    return await withCore(config, async (core) => {
      const bar = !out.json && process.stderr.isTTY ? progressBar(input.size) : undefined;
      let report: ImportReport;
      try {
        report = await importUsers(core, input.stream, {
          projectId: args.projectId,
          format,
          ...(apiKeys && { apiKeys }),
          dryRun: args.dryRun,
          atomic: args.atomic,
          sendReset: args.sendReset,
          via: 'cli',
          ...(bar && { onProgress: (progress: ImportProgress) => bar.update(progress) }),
        });
      } finally {
        bar?.stop();
      }
      out.print(report, () => summary(report));
      return report.failedCount === 0 ? 0 : 1;
    });
  } catch (error) {
    if (error instanceof DataDirLockedError) {
      process.stderr.write(
        `gatehouse: a running server holds the data directory: import through its admin API instead:\n  curl -H "Authorization: Bearer $GATEHOUSE_ADMIN_TOKEN" -H "Content-Type: application/x-ndjson" --data-binary @FILE "http://HOST/admin/projects/${args.projectId}/import?format=${format}"\n`,
      );
    }
    input.stream.destroy();
    throw error;
  }
}

/** `gatehouse export`: the project's users as canonical JSON Lines on stdout. */
export async function runExport(
  config: Config,
  args: { projectId: string; format: string | undefined; includeTotp: boolean },
): Promise<void> {
  if (args.format !== undefined && args.format !== 'gatehouse') throw usage('--format: export writes the gatehouse format only');
  await withCore(config, async (core) => {
    await core.projects.get(args.projectId);
    try {
      await pipeline(exportStream(core, { projectId: args.projectId, includeTotp: args.includeTotp }), process.stdout, { end: false });
    } catch (error) {
      // The reader went away (`gatehouse export | head`): not an error of the export.
      if ((error as NodeJS.ErrnoException).code !== 'EPIPE') throw error;
    }
  });
}
