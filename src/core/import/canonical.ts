import { createHash, randomUUID } from 'node:crypto';
import { hashFormat, NO_PASSWORD } from '../password-formats.ts';
import { PROFILE_TYPES, type ProfileType } from '../projects.ts';
import { FAULT_MESSAGES, ruleAt, textFault } from '../text-rules.ts';
import { normalizeEmail } from '../users.ts';
import type { FailedLine } from './types.ts';

/** A canonical line that passed every check, with generated ids filled in: what the writer inserts. */
export interface ValidUser {
  readonly line: number;
  /** SHA-256 (hex) of the line's content: a re-run recognizes its own users by it. */
  readonly fingerprint: string;
  readonly id: string;
  readonly number: number | null;
  readonly email: string;
  readonly emailNormalized: string;
  readonly account: string | null;
  readonly passwordHash: string;
  /** Cost class of a legacy hash (password-formats.ts), null for none or the server's own. */
  readonly hashCost: string | null;
  readonly firstName: string;
  readonly lastName: string;
  readonly company: string | null;
  readonly timezone: string;
  readonly role: string;
  readonly plan: string;
  readonly credits: number;
  readonly emailVerified: boolean;
  readonly isActive: boolean;
  readonly createdAt: string | null;
  readonly lastLoginAt: string | null;
  readonly profileId: string;
  readonly membershipId: string;
  readonly profileType: ProfileType;
  readonly apiKeys: readonly ValidKey[];
  readonly totpSecret: string | null;
}

export interface ValidKey {
  readonly name: string;
  readonly sha256: string;
  readonly prefix: string;
  readonly lastFour: string;
  readonly isPrimary: boolean;
  readonly createdAt: string | null;
  readonly expiresAt: string | null;
  readonly permissions: readonly string[] | null;
}

const TOP_FIELDS = new Set([
  'email',
  'passwordHash',
  'emailVerified',
  'name',
  'surname',
  'account',
  'company',
  'timezone',
  'role',
  'plan',
  'credits',
  'createdAt',
  'lastLoginAt',
  'disabled',
  'ids',
  'apiKeys',
  'totpSecret',
]);
const ID_FIELDS = new Set(['user', 'number', 'profile', 'profileType', 'membership']);
const KEY_FIELDS = new Set(['name', 'sha256', 'prefix', 'lastFour', 'isPrimary', 'createdAt', 'expiresAt', 'permissions']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EMAIL = /^[^\s@]+@[^\s@]+$/;
const SHA256_HEX = /^[0-9a-f]{64}$/i;
const BASE32 = /^[A-Z2-7]{16,128}=*$/;
const MAX_KEYS = 100;
const MAX_NUMBER = Number.MAX_SAFE_INTEGER;

/** A rule broken by a field; caught by validateUser and turned into the line's failure. */
class Invalid extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

type Obj = Record<string, unknown>;

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function rejectUnknown(object: Obj, known: Set<string>, prefix: string): void {
  for (const key of Object.keys(object)) if (!known.has(key)) throw new Invalid(`${prefix}${key}`, 'is not a field of the import format');
}

function text(object: Obj, field: string, path: string, max: number): string | undefined {
  const value = object[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new Invalid(path, 'must be a string');
  if (value.length > max) throw new Invalid(path, `must be at most ${max} characters`);
  // The same text rules as the HTTP input boundary: an import is input too.
  const fault = textFault(value, ruleAt(path.split('.')));
  if (fault !== undefined) throw new Invalid(path, FAULT_MESSAGES[fault]);
  return value;
}

function flag(object: Obj, field: string, path: string): boolean | undefined {
  const value = object[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw new Invalid(path, 'must be true or false');
  return value;
}

/** An ISO 8601 date-time (or SQL's `YYYY-MM-DD HH:MM:SS`, read as UTC), as an ISO string. */
function timestamp(object: Obj, field: string, path: string): string | null {
  const value = text(object, field, path, 64);
  if (value === undefined || value === '') return null;
  const iso = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value) ? `${value.replace(' ', 'T')}Z` : value;
  const date = /^\d{4}-\d{2}-\d{2}/.test(iso) ? new Date(iso) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) throw new Invalid(path, 'must be an ISO 8601 date-time');
  return date.toISOString();
}

function validTimezone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function keys(value: unknown): ValidKey[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new Invalid('apiKeys', 'must be an array');
  if (value.length > MAX_KEYS) throw new Invalid('apiKeys', `must have at most ${MAX_KEYS} keys`);
  const result = value.map((item: unknown, index): ValidKey => {
    const path = `apiKeys[${index}].`;
    if (!isObject(item)) throw new Invalid(`apiKeys[${index}]`, 'must be an object');
    rejectUnknown(item, KEY_FIELDS, path);
    const name = text(item, 'name', `${path}name`, 255);
    if (name === undefined || name.trim() === '') throw new Invalid(`${path}name`, 'is required');
    const sha256 = text(item, 'sha256', `${path}sha256`, 200);
    if (sha256 === undefined || !SHA256_HEX.test(sha256))
      throw new Invalid(`${path}sha256`, 'must be the SHA-256 of the key as 64 hex characters');
    const permissions = item.permissions;
    if (
      permissions !== undefined &&
      permissions !== null &&
      !(Array.isArray(permissions) && permissions.every((p) => typeof p === 'string' && p.length <= 100))
    ) {
      throw new Invalid(`${path}permissions`, 'must be a list of permission names or null');
    }
    return {
      name: name.trim(),
      sha256: sha256.toLowerCase(),
      prefix: text(item, 'prefix', `${path}prefix`, 32) ?? '',
      lastFour: text(item, 'lastFour', `${path}lastFour`, 4) ?? '',
      isPrimary: flag(item, 'isPrimary', `${path}isPrimary`) ?? false,
      createdAt: timestamp(item, 'createdAt', `${path}createdAt`),
      expiresAt: timestamp(item, 'expiresAt', `${path}expiresAt`),
      permissions: Array.isArray(permissions) ? (permissions as string[]) : null,
    };
  });
  const primaries = result.filter((key) => key.isPrimary).length;
  if (primaries > 1) throw new Invalid('apiKeys', 'at most one key may be primary');
  const digests = new Set(result.map((key) => key.sha256));
  if (digests.size !== result.length) throw new Invalid('apiKeys', 'lists one key twice');
  // A user with keys has a primary one, as in Gatehouse (the first when none is marked).
  return primaries === 0 && result.length > 0 ? result.map((key, index) => ({ ...key, isPrimary: index === 0 })) : result;
}

function build(line: number, value: unknown): ValidUser {
  if (!isObject(value)) throw new Invalid('line', 'must be a JSON object');
  rejectUnknown(value, TOP_FIELDS, '');
  const rawEmail = text(value, 'email', 'email', 320);
  if (rawEmail === undefined || rawEmail.trim() === '') throw new Invalid('email', 'is required');
  const email = rawEmail.trim();
  if (!EMAIL.test(email)) throw new Invalid('email', 'must be a valid email address');

  const hash = text(value, 'passwordHash', 'passwordHash', 1024) ?? '';
  let hashCost: string | null = null;
  if (hash !== '') {
    const format = hashFormat(hash);
    if (!format.ok) throw new Invalid('passwordHash', `has an unsupported format: ${format.seen}`);
    hashCost = format.cost;
  }

  const ids = value.ids ?? {};
  if (!isObject(ids)) throw new Invalid('ids', 'must be an object');
  rejectUnknown(ids, ID_FIELDS, 'ids.');
  const uuid = (field: string): string | undefined => {
    const id = ids[field];
    if (id === undefined || id === null) return undefined;
    if (typeof id !== 'string' || !UUID.test(id)) throw new Invalid(`ids.${field}`, 'must be a UUID');
    return id.toLowerCase();
  };
  const number = ids.number;
  if (
    number !== undefined &&
    number !== null &&
    !(typeof number === 'number' && Number.isInteger(number) && number > 0 && number <= MAX_NUMBER)
  ) {
    throw new Invalid('ids.number', 'must be a positive integer');
  }
  const profileType = ids.profileType ?? 'Patient';
  if (!(PROFILE_TYPES as readonly unknown[]).includes(profileType))
    throw new Invalid('ids.profileType', `must be one of ${PROFILE_TYPES.join(', ')}`);

  const account = text(value, 'account', 'account', 32)?.trim().toLowerCase();
  if (account !== undefined && (account === '' || /\s/.test(account)))
    throw new Invalid('account', 'must be a non-empty handle without spaces');
  const timezone = text(value, 'timezone', 'timezone', 64);
  if (timezone !== undefined && timezone !== '' && !validTimezone(timezone))
    throw new Invalid('timezone', 'must be an IANA time zone such as Europe/Berlin');
  const credits = value.credits;
  if (credits !== undefined && credits !== null && !(typeof credits === 'number' && Number.isFinite(credits)))
    throw new Invalid('credits', 'must be a number');
  const totp = text(value, 'totpSecret', 'totpSecret', 256)?.replace(/\s/g, '').toUpperCase();
  if (totp !== undefined && totp !== '' && !BASE32.test(totp))
    throw new Invalid('totpSecret', 'must be a base32 secret of at least 16 characters');

  return {
    line,
    fingerprint: createHash('sha256').update(JSON.stringify(value)).digest('hex'),
    id: uuid('user') ?? randomUUID(),
    number: typeof number === 'number' ? number : null,
    email,
    emailNormalized: normalizeEmail(email),
    account: account ?? null,
    passwordHash: hash === '' ? NO_PASSWORD : hash,
    hashCost,
    firstName: text(value, 'name', 'name', 255)?.trim() ?? '',
    lastName: text(value, 'surname', 'surname', 255)?.trim() ?? '',
    company: text(value, 'company', 'company', 255) || null,
    timezone: timezone || 'UTC',
    role: text(value, 'role', 'role', 50) || 'user',
    plan: text(value, 'plan', 'plan', 50) || 'trial',
    credits: typeof credits === 'number' ? credits : 0,
    emailVerified: flag(value, 'emailVerified', 'emailVerified') ?? false,
    isActive: !(flag(value, 'disabled', 'disabled') ?? false),
    createdAt: timestamp(value, 'createdAt', 'createdAt'),
    lastLoginAt: timestamp(value, 'lastLoginAt', 'lastLoginAt'),
    profileId: uuid('profile') ?? randomUUID(),
    membershipId: uuid('membership') ?? randomUUID(),
    profileType: profileType as ProfileType,
    apiKeys: keys(value.apiKeys),
    totpSecret: totp === undefined || totp === '' ? null : totp.replace(/=+$/, ''),
  };
}

/** Checks one canonical user; every rule broken is named with its field. */
export function validateUser(line: number, value: unknown): { ok: true; user: ValidUser } | { ok: false; failed: FailedLine } {
  try {
    return { ok: true, user: build(line, value) };
  } catch (error) {
    if (error instanceof Invalid) return { ok: false, failed: { line, field: error.field, error: `${error.field} ${error.message}` } };
    throw error;
  }
}
