import type { FastifySchemaCompiler } from 'fastify';
import { ErrorCode, GatehouseError } from '../../../core/errors.ts';
import { ParsedBody } from './body.ts';
import { INEXACT, parseDate, parseEmail, parseUuid } from './formats.ts';

/** One entry of FastAPI's 422 `detail` list, as pydantic v2 reports it. */
export interface PydanticError {
  readonly type: string;
  readonly loc: ReadonlyArray<string | number>;
  readonly msg: string;
  readonly input: unknown;
  readonly ctx?: Readonly<Record<string, unknown>>;
}

/** The subset of JSON Schema (as TypeBox writes it) the contract's request schemas use. */
interface FieldSchema {
  readonly type?: string;
  readonly anyOf?: readonly FieldSchema[];
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly format?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly default?: unknown;
}

interface ModelSchema extends FieldSchema {
  readonly properties?: Readonly<Record<string, FieldSchema>>;
  readonly required?: readonly string[];
  /** Marks a model read from form fields (FastAPI `Form()`), not from a JSON body. */
  readonly 'x-form'?: boolean;
}

type Mode = 'json' | 'form' | 'query' | 'path';
type Outcome = { value: unknown; error?: undefined } | { value?: undefined; error: PydanticError };

export function validationError(detail: readonly PydanticError[]): GatehouseError {
  return new GatehouseError(ErrorCode.Validation, 'Request validation failed', { data: { detail } });
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

function stringField(schema: FieldSchema, value: unknown, loc: Array<string | number>): Outcome {
  if (schema.format === 'date') return dateField(value, loc);
  if (schema.format === 'uuid' && typeof value !== 'string') {
    return { error: { type: 'uuid_type', loc, msg: 'UUID input should be a string, bytes or UUID object', input: value } };
  }
  if (typeof value !== 'string') return { error: { type: 'string_type', loc, msg: 'Input should be a valid string', input: value } };
  const length = [...value].length;
  if (schema.minLength !== undefined && length < schema.minLength) {
    const msg = `String should have at least ${plural(schema.minLength, 'character')}`;
    return { error: { type: 'string_too_short', loc, msg, input: value, ctx: { min_length: schema.minLength } } };
  }
  if (schema.maxLength !== undefined && length > schema.maxLength) {
    const msg = `String should have at most ${plural(schema.maxLength, 'character')}`;
    return { error: { type: 'string_too_long', loc, msg, input: value, ctx: { max_length: schema.maxLength } } };
  }
  if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) {
    const msg = `String should match pattern '${schema.pattern}'`;
    return { error: { type: 'string_pattern_mismatch', loc, msg, input: value, ctx: { pattern: schema.pattern } } };
  }
  switch (schema.format) {
    case 'email': {
      const parsed = parseEmail(value);
      if (parsed.ok) return { value: parsed.value };
      const msg = `value is not a valid email address: ${parsed.reason}`;
      return { error: { type: 'value_error', loc, msg, input: value, ctx: { reason: parsed.reason } } };
    }
    case 'uuid': {
      const parsed = parseUuid(value);
      if (parsed.ok) return { value: parsed.value };
      return {
        error: {
          type: 'uuid_parsing',
          loc,
          msg: `Input should be a valid UUID, ${parsed.reason}`,
          input: value,
          ctx: { error: parsed.reason },
        },
      };
    }
    default:
      return { value };
  }
}

function dateField(value: unknown, loc: Array<string | number>): Outcome {
  if (typeof value !== 'string' && typeof value !== 'number')
    return { error: { type: 'date_type', loc, msg: 'Input should be a valid date', input: value } };
  const parsed = parseDate(value);
  if (parsed.ok) return { value: parsed.value };
  if (parsed.reason === INEXACT) {
    return {
      error: {
        type: 'date_from_datetime_inexact',
        loc,
        msg: 'Datetimes provided to dates should have zero time - e.g. be exact dates',
        input: value,
      },
    };
  }
  const msg = `Input should be a valid date or datetime, ${parsed.reason}`;
  return { error: { type: 'date_from_datetime_parsing', loc, msg, input: value, ctx: { error: parsed.reason } } };
}

function integerField(schema: FieldSchema, value: unknown, loc: Array<string | number>): Outcome {
  let number: number;
  if (typeof value === 'number' && Number.isInteger(value)) number = value;
  else if (typeof value === 'boolean') number = value ? 1 : 0;
  else if (typeof value === 'number') {
    return {
      error: { type: 'int_from_float', loc, msg: 'Input should be a valid integer, got a number with a fractional part', input: value },
    };
  } else if (typeof value === 'string' && /^\s*[-+]?\d+\s*$/.test(value)) number = Number(value);
  else if (typeof value === 'string') {
    return {
      error: { type: 'int_parsing', loc, msg: 'Input should be a valid integer, unable to parse string as an integer', input: value },
    };
  } else return { error: { type: 'int_type', loc, msg: 'Input should be a valid integer', input: value } };
  if (schema.minimum !== undefined && number < schema.minimum) {
    const msg = `Input should be greater than or equal to ${schema.minimum}`;
    return { error: { type: 'greater_than_equal', loc, msg, input: value, ctx: { ge: schema.minimum } } };
  }
  if (schema.maximum !== undefined && number > schema.maximum) {
    const msg = `Input should be less than or equal to ${schema.maximum}`;
    return { error: { type: 'less_than_equal', loc, msg, input: value, ctx: { le: schema.maximum } } };
  }
  return { value: number };
}

function field(schema: FieldSchema, value: unknown, loc: Array<string | number>): Outcome {
  const branches = schema.anyOf ?? [schema];
  const nullable = branches.some((branch) => branch.type === 'null');
  if (value === null && nullable) return { value: null };
  const base = branches.find((branch) => branch.type !== 'null') ?? schema;
  if (base.type === 'integer') return integerField(base, value, loc);
  if (base.type === 'string') return stringField(base, value, loc);
  return { value };
}

/** Validates one model's fields in declaration order, collecting every error like pydantic. */
function model(
  schema: ModelSchema,
  data: Record<string, unknown>,
  mode: Mode,
  part: string,
): { value: Record<string, unknown>; errors: PydanticError[] } {
  const value: Record<string, unknown> = {};
  const errors: PydanticError[] = [];
  const required = new Set(schema.required ?? []);
  for (const [name, fieldSchema] of Object.entries(schema.properties ?? {})) {
    let raw = Object.hasOwn(data, name) ? data[name] : undefined;
    if (Array.isArray(raw) && mode !== 'json') raw = raw[raw.length - 1];
    // FastAPI treats an empty form field as a missing one.
    const missing = raw === undefined || (mode === 'form' && raw === '');
    if (missing) {
      // A field with a default is optional in pydantic, whatever the schema's `required` says.
      if (fieldSchema.default !== undefined) value[name] = fieldSchema.default;
      else if (required.has(name))
        errors.push({ type: 'missing', loc: [part, name], msg: 'Field required', input: mode === 'json' ? data : null });
      continue;
    }
    const outcome = field(fieldSchema, raw, [part, name]);
    if (outcome.error !== undefined) errors.push(outcome.error);
    else value[name] = outcome.value;
  }
  return { value, errors };
}

function notAnObject(input: unknown): PydanticError {
  return {
    type: 'model_attributes_type',
    loc: ['body'],
    msg: 'Input should be a valid dictionary or object to extract fields from',
    input,
  };
}

/**
 * A body schema is a JSON model, a form model (`x-form`), or a union offering both (the
 * content type picks) and/or `null` (the body may be left out).
 */
function body(schema: ModelSchema, data: unknown): Outcome | { errors: PydanticError[] } {
  const branches: readonly ModelSchema[] = schema.anyOf ?? [schema];
  const optional = branches.some((branch) => branch.type === 'null');
  const form = branches.find((branch) => branch['x-form'] === true);
  const json = branches.find((branch) => branch.type === 'object' && branch['x-form'] !== true);
  const parsed = data instanceof ParsedBody ? data : new ParsedBody('empty', undefined, '');
  if (parsed.source === 'invalid-json' && parsed.decodeFailure !== undefined && json !== undefined) {
    const { msg, pos } = parsed.decodeFailure;
    return { errors: [{ type: 'json_invalid', loc: ['body', pos], msg: 'JSON decode error', input: {}, ctx: { error: msg } }] };
  }
  if (parsed.source === 'form' && form !== undefined) return result(model(form, parsed.value as Record<string, unknown>, 'form', 'body'));
  if (json === undefined) return result(model(form ?? {}, {}, 'form', 'body'));
  if (parsed.source === 'empty' || (parsed.source === 'json' && parsed.value === null)) {
    return optional ? { value: null } : { errors: [{ type: 'missing', loc: ['body'], msg: 'Field required', input: null }] };
  }
  if (parsed.source !== 'json') return { errors: [notAnObject(parsed.text)] };
  if (typeof parsed.value !== 'object' || Array.isArray(parsed.value)) return { errors: [notAnObject(parsed.value)] };
  return result(model(json, parsed.value as Record<string, unknown>, 'json', 'body'));
}

function result({ value, errors }: { value: Record<string, unknown>; errors: PydanticError[] }): Outcome | { errors: PydanticError[] } {
  return errors.length > 0 ? { errors } : { value };
}

/**
 * The contract's schema compiler: request parts are validated the way FastAPI and pydantic
 * v2 would, and failures become a 422 with pydantic's error list (rendered by errors.ts).
 */
export const fastApiValidatorCompiler: FastifySchemaCompiler<ModelSchema> = ({ schema, httpPart }) => {
  return (data: unknown) => {
    let outcome: Outcome | { errors: PydanticError[] };
    if (httpPart === 'body') outcome = body(schema, data);
    else {
      const mode: Mode = httpPart === 'params' ? 'path' : 'query';
      const source = typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
      outcome = result(model(schema, source, mode, httpPart === 'params' ? 'path' : httpPart === 'querystring' ? 'query' : 'header'));
    }
    if ('errors' in outcome) return { error: validationError(outcome.errors) };
    if (outcome.error !== undefined) return { error: validationError([outcome.error]) };
    return { value: outcome.value };
  };
};
