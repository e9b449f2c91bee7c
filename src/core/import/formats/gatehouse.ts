import type { Readable } from 'node:stream';
import { MAX_LINE_BYTES, readLines } from '../lines.ts';
import type { SourceItem } from '../types.ts';

/** Parses JSON Lines; a line that is not JSON is a failed line, an empty one is skipped. */
export async function* jsonLines(input: Readable): AsyncGenerator<SourceItem> {
  for await (const item of readLines(input)) {
    if ('tooLong' in item) {
      yield { line: item.line, failed: { line: item.line, field: 'line', error: `line is longer than ${MAX_LINE_BYTES} bytes` } };
      continue;
    }
    if (item.text.trim() === '') continue;
    try {
      yield { line: item.line, value: JSON.parse(item.text) as unknown };
    } catch {
      yield { line: item.line, failed: { line: item.line, field: 'line', error: 'line is not valid JSON' } };
    }
  }
}

/** The canonical format: each line is already a canonical user. */
export function gatehouseFormat(input: Readable): AsyncGenerator<SourceItem> {
  return jsonLines(input);
}
