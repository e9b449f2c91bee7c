import type { FastifyError } from 'fastify';
import { GatehouseError } from '../core/errors.ts';

/** One failed field of a request, as found by schema validation. */
export interface FieldFailure {
  /** Dotted path inside the request part, e.g. `email` or `user.name`. */
  readonly field: string;
  /** Where the field was: body, querystring, params, headers. */
  readonly part: string;
  /** The JSON-schema keyword that failed: required, type, minLength, maxLength, format, enum, ... */
  readonly keyword: string;
  readonly params: Readonly<Record<string, unknown>>;
  /** The offending value (undefined for a missing field). */
  readonly value: unknown;
  readonly message: string;
}

/**
 * Every failure a request can end in, independent of any API's error style. Each contract
 * renders these in its own format (see `renderProblem` in each contract's errors.ts).
 */
export type Problem =
  | { readonly kind: 'core'; readonly error: GatehouseError }
  | { readonly kind: 'validation'; readonly failures: readonly FieldFailure[] }
  /** The request itself is unusable: malformed JSON (400), too large (413), wrong media type (415). */
  | { readonly kind: 'request'; readonly status: 400 | 404 | 405 | 413 | 415; readonly message: string }
  | { readonly kind: 'internal' };

interface AjvLikeError {
  keyword: string;
  instancePath?: string;
  params?: Record<string, unknown>;
  message?: string;
}

function fieldOf(error: AjvLikeError): string {
  const path = (error.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
  if (error.keyword === 'required' && typeof error.params?.missingProperty === 'string') {
    return path === '' ? error.params.missingProperty : `${path}.${error.params.missingProperty}`;
  }
  return path;
}

function valueAt(root: unknown, field: string): unknown {
  if (field === '') return root;
  let current: unknown = root;
  for (const key of field.split('.')) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** Normalizes anything thrown while handling a request. `input` is the validated part, to echo values. */
export function toProblem(error: unknown, input?: { body?: unknown; query?: unknown; params?: unknown }): Problem {
  if (error instanceof GatehouseError) return { kind: 'core', error };
  const fastifyError = error as Partial<FastifyError> & { validation?: AjvLikeError[] };
  if (Array.isArray(fastifyError.validation)) {
    const part = fastifyError.validationContext ?? 'body';
    const source = part === 'querystring' ? input?.query : part === 'params' ? input?.params : input?.body;
    return {
      kind: 'validation',
      failures: fastifyError.validation.map((item) => {
        const field = fieldOf(item);
        return {
          field,
          part,
          keyword: item.keyword,
          params: item.params ?? {},
          value: valueAt(source, field),
          message: item.message ?? 'is invalid',
        };
      }),
    };
  }
  const status = fastifyError.statusCode;
  if (status === 413) return { kind: 'request', status, message: 'Request body is too large' };
  if (status === 415) return { kind: 'request', status, message: 'Unsupported content type' };
  if (status === 404) return { kind: 'request', status, message: 'Not found' };
  if (status === 405) return { kind: 'request', status, message: 'Method not allowed' };
  if (status !== undefined && status >= 400 && status < 500) {
    // Malformed JSON, an empty JSON body, prototype poisoning, a broken multipart stream, ...
    return { kind: 'request', status: 400, message: 'The request body could not be parsed' };
  }
  return { kind: 'internal' };
}

/**
 * The `default` of a renderer's switch over ErrorCode: the compiler refuses to build while a
 * code has no case (the parameter is `never` only when every code is handled).
 */
export function unhandled(code: never): never {
  throw new Error(`No rendering for error code ${String(code)}`);
}
