import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ErrorCode, GatehouseError } from '../../../core/errors.ts';
import { pythonJsonError, type JsonDecodeFailure } from './python-json.ts';

/**
 * A request body as FastAPI would see it, before validation: which parser produced it
 * matters, because a JSON endpoint reads a form post as raw bytes and a form endpoint
 * reads a JSON post as an empty form.
 */
export class ParsedBody {
  constructor(
    /** json: parsed JSON; invalid-json: unparsable; form: urlencoded or multipart fields; other: any other media type. */
    readonly source: 'json' | 'invalid-json' | 'form' | 'other' | 'empty',
    readonly value: unknown,
    /** The raw text, echoed as `input` when a JSON endpoint gets something that is not JSON. */
    readonly text: string,
    readonly decodeFailure?: JsonDecodeFailure,
  ) {}
}

/** Starlette fails a body it cannot decode with FastAPI's generic 400. */
function unparsable(): Error & { statusCode: number } {
  return Object.assign(new Error('There was an error parsing the body'), { statusCode: 400 });
}

function tooLarge(): Error & { statusCode: number } {
  return Object.assign(new Error('Request body is too large'), { statusCode: 413 });
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

function decodeJson(bytes: Buffer): ParsedBody {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw unparsable();
  }
  if (text === '') return new ParsedBody('empty', undefined, '');
  try {
    return new ParsedBody('json', JSON.parse(text) as unknown, text);
  } catch {
    const failure = pythonJsonError(text);
    if (failure === undefined) throw unparsable();
    return new ParsedBody('invalid-json', undefined, text, failure);
  }
}

/**
 * A multipart field value read as latin1, decoded as the UTF-8 it must be: invalid bytes are a
 * 400, as for JSON and urlencoded bodies (http/input-boundary.ts). A part that named its own
 * charset was decoded by busboy with it: a character above U+00FF shows that, and the value is
 * kept as decoded.
 */
function strictUtf8(latin1: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the whole latin1 range, controls included
  if (!/^[\u0000-\u00FF]*$/.test(latin1)) return latin1;
  try {
    return utf8.decode(Buffer.from(latin1, 'latin1'));
  } catch {
    throw unparsable();
  }
}

/**
 * Replaces every body parser of the (encapsulated) scope with FastAPI's reading of bodies:
 * JSON (also `application/*+json`), urlencoded and multipart forms, and anything else kept
 * as raw text for the validator to refuse.
 */
export async function useFastApiBodies(app: FastifyInstance, bodyLimit: number): Promise<void> {
  app.removeAllContentTypeParsers();
  // Field values are read as latin1 (one character per byte) and decoded strictly below: busboy's
  // own UTF-8 decoding would put U+FFFD in place of invalid bytes and store that.
  await app.register(multipart, {
    defCharset: 'latin1',
    limits: { fieldSize: bodyLimit, fileSize: bodyLimit, fields: 50, files: 5, parts: 60 },
  });
  app.addHook('preValidation', async (request: FastifyRequest) => {
    if (!request.isMultipart()) return;
    if (!/;\s*boundary=/i.test(request.headers['content-type'] ?? '')) {
      // Starlette's own words, which FastAPI passes on as the 400's detail.
      throw new GatehouseError(ErrorCode.Validation, 'Missing boundary in multipart.');
    }
    // Starlette keeps the last value of a repeated field. An uploaded file is not a string: it
    // is kept as an empty object, so a 422 about it does not echo its bytes.
    const fields = new Map<string, unknown>();
    // The multipart stream bypasses Fastify's body limit: count what it yields instead.
    let size = 0;
    const count = (bytes: number): void => {
      size += bytes;
      if (size > bodyLimit) throw tooLarge();
    };
    try {
      for await (const part of request.parts()) {
        if (part.type === 'file') {
          for await (const chunk of part.file) count((chunk as Buffer).length);
          fields.set(part.fieldname, {});
        } else {
          if (part.valueTruncated) throw tooLarge();
          const value = strictUtf8(String(part.value));
          count(Buffer.byteLength(value));
          fields.set(part.fieldname, value);
        }
      }
    } catch (error) {
      // The plugin's own limits are 413s. Starlette keeps the fields of a body cut short, and
      // refuses other broken multipart bodies with its own words.
      const status = (error as { statusCode?: unknown }).statusCode;
      if (status === 413 || status === 400) throw error;
      if (!(error instanceof Error && /^unexpected end of (form|multipart data)/i.test(error.message))) {
        throw new GatehouseError(ErrorCode.Validation, 'Invalid multipart data.');
      }
    }
    request.body = new ParsedBody('form', Object.fromEntries(fields), '');
  });
  const json = (_request: FastifyRequest, body: string | Buffer, done: (error: Error | null, body?: unknown) => void): void => {
    try {
      done(null, decodeJson(body as Buffer));
    } catch (error) {
      done(error as Error, undefined);
    }
  };
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, json);
  app.addContentTypeParser(/^application\/[^;\s]+\+json\s*(;|$)/i, { parseAs: 'buffer' }, json);
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body);
    done(null, new ParsedBody('form', Object.fromEntries(new URLSearchParams(text)), text));
  });
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => {
    // Current FastAPI reads JSON only when the content type says so; an empty body is no body.
    const bytes = body as Buffer;
    done(null, bytes.length === 0 ? new ParsedBody('empty', undefined, '') : new ParsedBody('other', undefined, bytes.toString('utf8')));
  });
}
