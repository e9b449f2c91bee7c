import type { Readable } from 'node:stream';
import { parse, type CsvError } from 'csv-parse';
import { MAX_LINE_BYTES } from '../lines.ts';
import type { FailedLine } from '../types.ts';

export type CsvRow =
  | { readonly line: number; readonly row: Readonly<Record<string, string>> }
  | { readonly line: number; readonly failed: FailedLine };

/**
 * Rows of a CSV file with a header row (names trimmed and lower-cased), as database tools
 * export them: quoted fields, CRLF or LF, a BOM. A malformed row is a failed line and the
 * rest is read on. The header must name every column in `required`.
 */
export async function* csvRows(input: Readable, required: readonly string[], file?: 'api-keys'): AsyncGenerator<CsvRow> {
  const skipped: FailedLine[] = [];
  let header: string[] | undefined;
  const parser = input.pipe(
    parse({
      columns: (names: string[]) => {
        header = names.map((name) => name.trim().toLowerCase());
        return header;
      },
      bom: true,
      info: true,
      skip_empty_lines: true,
      relax_column_count: true,
      max_record_size: MAX_LINE_BYTES,
      skip_records_with_error: true,
      on_skip: (error: CsvError | undefined) => {
        const line = Number((error as { lines?: unknown } | undefined)?.lines ?? 0);
        skipped.push({
          line,
          field: 'line',
          error: `malformed CSV: ${error?.message.replace(/ at line \d+.*$/, '') ?? 'unreadable row'}`,
          ...(file && { file }),
        });
        return undefined;
      },
    }),
  );
  let checked = false;
  for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
    if (!checked) {
      const missing = required.filter((column) => !(header ?? []).includes(column));
      if (missing.length > 0) throw new CsvHeaderError(`the CSV header has no column ${missing.join(', ')}`);
      checked = true;
    }
    while (skipped.length > 0) {
      const failed = skipped.shift() as FailedLine;
      yield { line: failed.line, failed };
    }
    yield { line: info.lines, row: record };
  }
  for (const failed of skipped) yield { line: failed.line, failed };
}

/** The file cannot be read as this format at all (not one bad line): the import stops before writing. */
export class CsvHeaderError extends Error {}
