import type { Bucket } from '../core/abuse/config.ts';

/**
 * Which endpoints are rate limited, and from which budget: the one table for every contract
 * (Ovok, PixelMover, JinuAI, and any added later), matched once per route at registration on
 * the route's URL pattern, so contracts need no code for it. First match wins.
 *
 * Every limited route also counts against the per-IP `auth` budget. Authenticated reads
 * (`GET /auth/me`, session lists, whoami) are not limited: they cost no password hash and sit
 * on the hot path.
 */
const AUTH_AREA = /^(\/v\d+)?\/auth\/|^\/api\/v\d+\/auth\/|^\/api\/v\d+\/login\b|\/api-keys(\/|$)|password|\/mfa(\/|$)|two-factor|verif|recover/;

const RULES: ReadonlyArray<{ readonly pattern: RegExp; readonly bucket: Bucket; readonly reads?: true }> = [
  { pattern: /\/(login|signin|sign-in|access-token)$/, bucket: 'login' },
  { pattern: /\/(register|signup|sign-up)$/, bucket: 'register' },
  { pattern: /\/(refresh|refresh-token|refresh_token|token)$/, bucket: 'refresh' },
  { pattern: /\/(mfa|totp|2fa|otp)(\/|$)|two-factor/, bucket: 'mfa' },
  {
    pattern: /(password|verify|verification|verify-email|resend|magic-link|recover)/,
    bucket: 'password-reset',
    reads: true,
  },
  { pattern: /\/api-keys(\/|$)/, bucket: 'api' },
];

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** bucketFor over every method a route answers (the first that is limited). */
export function bucketOfRoute(route: { readonly method: string | readonly string[]; readonly url: string }): Bucket | undefined {
  const methods = typeof route.method === 'string' ? [route.method] : route.method;
  return methods.map((method) => bucketFor(method, route.url)).find((found) => found !== undefined);
}

/** The budget a route draws from, or undefined when the route is not limited. */
export function bucketFor(method: string, url: string): Bucket | undefined {
  if (!AUTH_AREA.test(url)) return undefined;
  const read = READS.has(method.toUpperCase());
  for (const rule of RULES) {
    if (rule.pattern.test(url)) return read && rule.reads !== true ? undefined : rule.bucket;
  }
  return read ? undefined : 'auth';
}

/**
 * The account a request targets, for per-account budgets: the email (or user name) it names in
 * its body, else in its path (`/password-recovery/:email`).
 */
export function accountOf(body: unknown, params?: unknown): string | undefined {
  for (const source of [body, params]) {
    if (source === null || typeof source !== 'object') continue;
    const fields = source as Record<string, unknown>;
    for (const name of ['email', 'username', 'account']) {
      const value = textOf(fields[name]);
      if (value !== undefined && value.trim() !== '') return value.trim().toLowerCase().slice(0, 320);
    }
  }
  return undefined;
}

/** A plain field, or a multipart field object (`{ value }`). */
function textOf(field: unknown): string | undefined {
  if (typeof field === 'string') return field;
  if (field !== null && typeof field === 'object' && typeof (field as { value?: unknown }).value === 'string') {
    return (field as { value: string }).value;
  }
  return undefined;
}
