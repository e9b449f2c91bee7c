import type { Readable } from 'node:stream';

/** Longer lines are reported as failed and skipped, so one bad line cannot fill the memory. */
export const MAX_LINE_BYTES = 1024 * 1024;

export type Line = { readonly line: number; readonly text: string } | { readonly line: number; readonly tooLong: true };

/**
 * The lines of a text stream, numbered from 1, with `\n` or `\r\n` ends and a leading BOM
 * dropped. Holds at most one line (up to MAX_LINE_BYTES) besides the current chunk.
 */
export async function* readLines(input: AsyncIterable<Buffer | string> | Readable): AsyncGenerator<Line> {
  let parts: Buffer[] = [];
  let size = 0;
  let tooLong = false;
  let number = 0;
  const finish = (): Line => {
    number += 1;
    if (tooLong) return { line: number, tooLong: true };
    let text = Buffer.concat(parts, size).toString('utf8');
    if (text.endsWith('\r')) text = text.slice(0, -1);
    if (number === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    return { line: number, text };
  };
  for await (const raw of input) {
    const chunk = typeof raw === 'string' ? Buffer.from(raw) : raw;
    let start = 0;
    for (let end = chunk.indexOf(10, start); end !== -1; end = chunk.indexOf(10, start)) {
      append(chunk.subarray(start, end));
      yield finish();
      parts = [];
      size = 0;
      tooLong = false;
      start = end + 1;
    }
    append(chunk.subarray(start));
  }
  if (size > 0 || tooLong) yield finish();

  function append(piece: Buffer): void {
    if (tooLong || piece.length === 0) return;
    if (size + piece.length > MAX_LINE_BYTES) {
      tooLong = true;
      parts = [];
      size = 0;
      return;
    }
    // Copied: a subarray would keep the whole chunk alive.
    parts.push(Buffer.from(piece));
    size += piece.length;
  }
}
