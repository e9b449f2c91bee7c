import { pipeline, Transform, type TransformCallback } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { FAULT_MESSAGES, findTextFault, type TextFault } from '../core/text-rules.ts';

/**
 * The one input boundary of every route (issue 12): installed on the root before any contract,
 * page or provider is registered, so every route inherits it and a new endpoint cannot forget it.
 *
 * 1. preParsing: a JSON or urlencoded body that is not valid UTF-8 is refused (400 in the
 *    contract's style) instead of being decoded with U+FFFD in place of the bad bytes.
 * 2. preHandler (after each contract has parsed and validated its request, before any handler,
 *    tenant lookup or guard touches the database): params, query and body are walked once and
 *    a string that breaks its rule (text-rules.ts) is a 422 naming the field, rendered by the
 *    contract like any schema failure (a Problem of kind `validation`, keyword `text`).
 *
 * The last line behind it is db/text-guard.ts, which refuses a NUL before any query.
 */
export function installInputBoundary(app: FastifyInstance): void {
  app.addHook('preParsing', async (request, _reply, payload) => {
    const kind = textKind(request);
    return kind === undefined ? payload : pipeline(payload, utf8Check(kind === 'form'), () => undefined);
  });
  app.addHook('preHandler', async (request) => {
    for (const [part, value] of [
      ['params', request.params],
      ['querystring', request.query],
      ['body', request.body],
    ] as const) {
      const finding = findTextFault(value);
      if (finding !== undefined) throw new UnsafeTextError(part, finding.path, finding.fault);
    }
  });
}

/**
 * Shaped like Fastify's schema-validation error, so `toProblem` (problems.ts) makes it the same
 * `validation` Problem every contract already renders in its own style.
 */
export class UnsafeTextError extends Error {
  readonly statusCode = 422;
  readonly validationContext: string;
  readonly validation: ReadonlyArray<{ keyword: string; instancePath: string; params: Record<string, unknown>; message: string }>;

  constructor(part: string, path: readonly string[], fault: TextFault) {
    super(`${path.join('.') || part} ${FAULT_MESSAGES[fault]}`);
    this.name = 'UnsafeTextError';
    this.validationContext = part;
    const instancePath = path.map((key) => `/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
    this.validation = [{ keyword: 'text', instancePath, params: { fault }, message: FAULT_MESSAGES[fault] }];
  }
}

/** Bodies read as text: JSON (also `application/*+json`) and urlencoded forms. Multipart parts are files or fields, checked after parsing. */
function textKind(request: FastifyRequest): 'json' | 'form' | undefined {
  const type = (request.headers['content-type'] ?? '').toLowerCase();
  if (/^application\/([^;\s]+\+)?json\s*(;|$)/.test(type)) return 'json';
  return type.startsWith('application/x-www-form-urlencoded') ? 'form' : undefined;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Passes the bytes through unchanged, failing the body (400) at the first byte that is not UTF-8.
 * A form's values are percent-encoded bytes too: `name=%FF` would decode to U+FFFD, so the bytes
 * the escapes stand for are checked as well, once the (size-limited) body is complete.
 */
function utf8Check(form: boolean): Transform {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const chunks: Buffer[] = [];
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
      try {
        decoder.decode(chunk, { stream: true });
        if (form) chunks.push(chunk);
        done(null, chunk);
      } catch {
        done(invalidUtf8());
      }
    },
    flush(done: TransformCallback): void {
      try {
        decoder.decode();
        if (form) utf8.decode(percentDecoded(Buffer.concat(chunks).toString('latin1')));
        done();
      } catch {
        done(invalidUtf8());
      }
    },
  });
}

/** The bytes a form body stands for: each valid `%XX` escape one byte (a stray `%` stays itself, as URLSearchParams reads it). */
function percentDecoded(text: string): Buffer {
  return Buffer.from(
    text.replace(/%([0-9a-fA-F]{2})/g, (_escape, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))),
    'latin1',
  );
}

function invalidUtf8(): Error & { statusCode: number } {
  return Object.assign(new Error('The request body is not valid UTF-8'), { statusCode: 400 });
}
