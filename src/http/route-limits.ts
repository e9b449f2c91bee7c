import type { Bucket } from '../core/abuse/config.ts';

/**
 * What a route costs in abuse budgets, declared next to the route (its `config.limits`), so
 * renaming a URL never changes its budget:
 * - `bucket`: the budget it draws from per client IP (every limited route also counts against
 *   the shared `auth` budget); `none` for routes outside the auth budgets.
 * - `account`: the request fields (body, then path) naming the targeted account, for the
 *   per-account budget of the bucket.
 * - `shed`: the route hashes a password on every call, so it is refused (503) while the hash
 *   queue cannot take it, before its body is read.
 */
export interface RouteLimits {
  readonly bucket: Bucket | 'none';
  readonly account?: readonly string[];
  readonly shed?: true;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    limits?: RouteLimits;
  }
}

/** A route's config declaring its budget: `{ config: limits('login', { account: ['email'], shed: true }) }`. */
export function limits(bucket: Bucket | 'none', options: Omit<RouteLimits, 'bucket'> = {}): { limits: RouteLimits } {
  return { limits: { bucket, ...options } };
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Whether a route must declare its budget: every route that can change state. */
export function mustDeclareLimits(method: string | readonly string[]): boolean {
  return [method].flat().some((one) => !SAFE.has(one.toUpperCase()));
}

/** The account a request targets, from the declared fields of its body, then of its path. */
export function accountOf(fields: readonly string[], body: unknown, params?: unknown): string | undefined {
  for (const source of [body, params]) {
    if (source === null || typeof source !== 'object') continue;
    const values = source as Record<string, unknown>;
    for (const name of fields) {
      const value = textOf(values[name]);
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
