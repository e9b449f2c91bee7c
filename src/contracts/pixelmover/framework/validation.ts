import { ErrorCode, GatehouseError, type FieldProblem } from '../../../core/errors.ts';
import { isTimezone } from './timezones.ts';

/**
 * A small port of Laravel's validator, for the rules PixelMover uses, so that a client that
 * parses Laravel's messages keeps working: rules run in the order declared; every failing rule
 * of a field is reported, except that a failed `required` ends that field; non-`required`
 * rules skip absent or blank fields, and `nullable` fields that are null; `unique` runs only
 * when the field's earlier rules passed. Messages are Laravel 10+'s default English ones.
 */

/** Laravel rule strings, e.g. `required|string|max:255`, keyed by field in declaration order (`field.*` for items). */
export type Rules = Readonly<Record<string, string>>;

export interface ValidationHooks {
  /** `unique` rule: true when the value is already taken. */
  readonly unique?: (field: string, value: unknown) => Promise<boolean>;
  readonly now?: Date;
}

const IMPLICIT = new Set(['required']);
const NUMERIC = new Set(['numeric', 'integer']);

/** Laravel's global TrimStrings and ConvertEmptyStringsToNull middleware, applied to any input. */
const NOT_TRIMMED = new Set(['password', 'password_confirmation', 'current_password']);

export function laravelInput(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return {};
  return clean(body as Record<string, unknown>, '', 0) as Record<string, unknown>;
}

// No rule looks deeper than this; a body nested thousands of levels overflowed the stack (500, found by the hardening fuzz campaign).
const MAX_DEPTH = 32;

function clean(value: unknown, key: string, depth: number): unknown {
  if (depth > MAX_DEPTH && value !== null && typeof value === 'object') return Array.isArray(value) ? [] : {};
  if (typeof value === 'string') {
    const trimmed = NOT_TRIMMED.has(key) ? value : value.trim();
    return trimmed === '' ? null : trimmed;
  }
  if (Array.isArray(value)) return value.map((item) => clean(item, '', depth + 1));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    // Own keys only, so a "__proto__" key stays plain data.
    for (const [name, item] of Object.entries(value))
      Object.defineProperty(out, name, { value: clean(item, name, depth + 1), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return value;
}

/** `password_confirmation` → "password confirmation", as Laravel shows attribute names. */
export function attributeName(field: string): string {
  return field.replace(/_/g, ' ');
}

const MESSAGES = {
  required: 'The :attribute field is required.',
  string: 'The :attribute field must be a string.',
  email: 'The :attribute field must be a valid email address.',
  boolean: 'The :attribute field must be true or false.',
  array: 'The :attribute field must be an array.',
  date: 'The :attribute field must be a valid date.',
  after: 'The :attribute field must be a date after :date.',
  timezone: 'The :attribute field must be a valid timezone.',
  confirmed: 'The :attribute field confirmation does not match.',
  unique: 'The :attribute has already been taken.',
  integer: 'The :attribute field must be an integer.',
  'max.string': 'The :attribute field must not be greater than :max characters.',
  'max.array': 'The :attribute field must not have more than :max items.',
  'max.numeric': 'The :attribute field must not be greater than :max.',
  'min.string': 'The :attribute field must be at least :min characters.',
  'min.array': 'The :attribute field must have at least :min items.',
  'min.numeric': 'The :attribute field must be at least :min.',
} as const;

function message(key: keyof typeof MESSAGES, field: string, params: Record<string, string> = {}): string {
  let text: string = MESSAGES[key];
  for (const [name, value] of Object.entries({ attribute: attributeName(field), ...params })) text = text.replaceAll(`:${name}`, value);
  return text;
}

/** Validates `input`; returns it when every rule passes, else throws a Validation error listing each message. */
export async function validate(
  input: Record<string, unknown>,
  rules: Rules,
  hooks: ValidationHooks = {},
): Promise<Record<string, unknown>> {
  const problems: FieldProblem[] = [];
  for (const [pattern, ruleText] of Object.entries(rules)) {
    const parsed = ruleText.split('|').map((rule) => {
      const [name = '', parameter] = rule.split(':', 2);
      return { name, parameter };
    });
    for (const field of expand(pattern, input)) {
      const messages = await validateField(field, valueAt(input, field), hasPath(input, field), parsed, input, hooks);
      for (const text of messages) problems.push({ field, message: text });
    }
  }
  if (problems.length > 0) throw new GatehouseError(ErrorCode.Validation, problems[0]!.message, { fields: problems });
  return input;
}

/** `permissions.*` → `permissions.0`, `permissions.1`, ... for the items present. */
function expand(pattern: string, input: Record<string, unknown>): string[] {
  if (!pattern.endsWith('.*')) return [pattern];
  const base = pattern.slice(0, -2);
  const value = valueAt(input, base);
  if (Array.isArray(value)) return value.map((_item, index) => `${base}.${index}`);
  if (value !== null && typeof value === 'object') return Object.keys(value).map((key) => `${base}.${key}`);
  return [];
}

function valueAt(input: Record<string, unknown>, path: string): unknown {
  let current: unknown = input;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function hasPath(input: Record<string, unknown>, path: string): boolean {
  const parts = path.split('.');
  const last = parts.pop() ?? '';
  const parent = parts.length === 0 ? input : valueAt(input, parts.join('.'));
  return parent !== null && typeof parent === 'object' && Object.hasOwn(parent, last);
}

async function validateField(
  field: string,
  value: unknown,
  present: boolean,
  rules: ReadonlyArray<{ name: string; parameter: string | undefined }>,
  input: Record<string, unknown>,
  hooks: ValidationHooks,
): Promise<string[]> {
  const names = new Set(rules.map((rule) => rule.name));
  const messages: string[] = [];
  for (const { name, parameter } of rules) {
    if (name === 'nullable' || name === 'sometimes' || name === 'bail') continue;
    const implicit = IMPLICIT.has(name);
    const blank = typeof value === 'string' && value.trim() === '';
    if (!implicit && (blank || !present)) continue;
    if (!implicit && names.has('nullable') && value === null) continue;
    if (name === 'unique' && messages.length > 0) continue;
    const failure = await check(name, parameter, field, value, names, input, hooks);
    if (failure !== undefined) {
      messages.push(failure);
      if (implicit || names.has('bail')) break;
    }
  }
  return messages;
}

function sizeKind(value: unknown, names: ReadonlySet<string>): 'numeric' | 'array' | 'string' {
  if ([...NUMERIC].some((rule) => names.has(rule)) && isNumeric(value)) return 'numeric';
  if (value !== null && typeof value === 'object') return 'array';
  return 'string';
}

function sizeOf(value: unknown, kind: 'numeric' | 'array' | 'string'): number {
  if (kind === 'numeric') return Number(value);
  if (kind === 'array') return Object.keys(value as object).length;
  // PHP's mb_strlen counts code points, of the value as PHP would print it.
  return [...phpString(value)].length;
}

function phpString(value: unknown): string {
  if (value === true) return '1';
  if (value === false || value === null || value === undefined) return '';
  return String(value);
}

function isNumeric(value: unknown): boolean {
  return (
    (typeof value === 'number' && Number.isFinite(value)) ||
    (typeof value === 'string' && /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(value))
  );
}

async function check(
  name: string,
  parameter: string | undefined,
  field: string,
  value: unknown,
  names: ReadonlySet<string>,
  input: Record<string, unknown>,
  hooks: ValidationHooks,
): Promise<string | undefined> {
  switch (name) {
    case 'required': {
      const empty =
        value === null ||
        value === undefined ||
        (typeof value === 'string' && value.trim() === '') ||
        (typeof value === 'object' && Object.keys(value).length === 0);
      return empty ? message('required', field) : undefined;
    }
    case 'string':
      return typeof value === 'string' ? undefined : message('string', field);
    case 'email':
      return typeof value === 'string' && isEmail(value) ? undefined : message('email', field);
    case 'boolean':
      return [true, false, 0, 1, '0', '1'].includes(value as never) ? undefined : message('boolean', field);
    case 'array':
      return value !== null && typeof value === 'object' ? undefined : message('array', field);
    case 'integer':
      return (typeof value === 'number' && Number.isInteger(value)) || (typeof value === 'string' && /^[+-]?\d+$/.test(value))
        ? undefined
        : message('integer', field);
    case 'date':
      return dateOf(value) === undefined ? message('date', field) : undefined;
    case 'after': {
      const limit = parameter === 'now' ? (hooks.now ?? new Date()) : dateOf(parameter);
      const date = dateOf(value);
      return date !== undefined && limit !== undefined && date.getTime() > limit.getTime()
        ? undefined
        : message('after', field, { date: parameter ?? '' });
    }
    case 'timezone':
      return typeof value === 'string' && isTimezone(value) ? undefined : message('timezone', field);
    case 'confirmed':
      return value === valueAt(input, `${field}_confirmation`) ? undefined : message('confirmed', field);
    case 'max':
    case 'min': {
      const limit = Number(parameter);
      const kind = sizeKind(value, names);
      const size = sizeOf(value, kind);
      const ok = name === 'max' ? size <= limit : size >= limit;
      return ok ? undefined : message(`${name}.${kind}`, field, { [name]: String(parameter) });
    }
    case 'unique':
      return hooks.unique !== undefined && (await hooks.unique(field, value)) ? message('unique', field) : undefined;
    default:
      throw new Error(`Unknown validation rule ${name}`);
  }
}

/** What PHP's strtotime would accept, near enough: an ISO 8601 or RFC 2822 date. */
function dateOf(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time);
}

const ATOM = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~\\u0080-\\uFFFF-]+";
const LOCAL = new RegExp(`^(${ATOM}(\\.${ATOM})*|"([^"\\\\\\r\\n]|\\\\.)*")$`, 'u');
const LABEL = /^[A-Za-z0-9\u0080-\uFFFF]([A-Za-z0-9\u0080-\uFFFF-]*[A-Za-z0-9\u0080-\uFFFF])?$/u;

/**
 * Laravel's `email` rule (egulias RFCValidation): an RFC 5322 address, internationalized
 * characters allowed; a host without a dot (user@localhost) is valid, as there.
 */
export function isEmail(value: string): boolean {
  const at = value.lastIndexOf('@');
  if (at <= 0 || at === value.length - 1) return false;
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (!LOCAL.test(local)) return false;
  if (/^\[(IPv6:[0-9A-Fa-f:.]+|\d{1,3}(\.\d{1,3}){3})\]$/.test(domain)) return true;
  return domain.split('.').every((label) => label.length <= 63 && LABEL.test(label));
}
