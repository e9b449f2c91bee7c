import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
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
 * Several values for one field: Starlette's form keeps the last. An uploaded file is not a
 * string; it is kept as an empty object so a 422 does not echo its bytes.
 */
function lastValues(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.keys(fields).map((key) => {
      const raw = fields[key];
      const value: unknown = Array.isArray(raw) ? raw[raw.length - 1] : raw;
      return [key, Buffer.isBuffer(value) ? {} : value];
    }),
  );
}

/**
 * Replaces every body parser of the (encapsulated) scope with FastAPI's reading of bodies:
 * JSON (also `application/*+json`, and bodies sent without a content type), urlencoded and
 * multipart forms, and anything else kept as raw text for the validator to refuse.
 */
export async function useFastApiBodies(app: FastifyInstance, bodyLimit: number): Promise<void> {
  app.removeAllContentTypeParsers();
  await app.register(multipart, {
    attachFieldsToBody: 'keyValues',
    limits: { fieldSize: bodyLimit, fileSize: bodyLimit, fields: 50, files: 5, parts: 60 },
  });
  app.addHook('preValidation', async (request: FastifyRequest) => {
    if (request.isMultipart()) {
      const fields = (request.body ?? {}) as Record<string, unknown>;
      request.body = new ParsedBody('form', lastValues(fields), '');
    }
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
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer;
    // FastAPI reads a body that names no content type as JSON.
    if (request.headers['content-type'] === undefined) {
      try {
        done(null, decodeJson(bytes));
      } catch (error) {
        done(error as Error, undefined);
      }
      return;
    }
    done(null, new ParsedBody('other', undefined, bytes.toString('utf8')));
  });
}
