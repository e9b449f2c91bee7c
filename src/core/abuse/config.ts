import { bool, ConfigError, int, type Env } from '../../env.ts';

/** A budget: at most `limit` requests per `windowSeconds` (fixed windows, aligned on the clock). */
export interface Limit {
  readonly limit: number;
  readonly windowSeconds: number;
}

/** What a group of endpoints may cost, per client IP and per target account (email or user name). */
export interface BucketLimits {
  readonly ip: Limit | undefined;
  readonly account: Limit | undefined;
}

export const BUCKETS = ['auth', 'login', 'register', 'refresh', 'password-reset', 'mfa', 'api'] as const;
export type Bucket = (typeof BUCKETS)[number];

export interface RateLimitConfig {
  readonly enabled: boolean;
  readonly buckets: Readonly<Record<Bucket, BucketLimits>>;
}

export interface BruteForceConfig {
  readonly enabled: boolean;
  /** Consecutive failures for one (account, IP) before that pair waits. */
  readonly maxFailures: number;
  /** First wait; each further failure doubles it, up to maxWaitSeconds. */
  readonly waitSeconds: number;
  readonly maxWaitSeconds: number;
  /** Failures older than this are forgotten. */
  readonly resetSeconds: number;
  /** Failures for one account from all IPs before the account itself waits (IPs it logged in from are exempt). */
  readonly accountMaxFailures: number;
  readonly accountLockSeconds: number;
}

/**
 * Defaults: 160 auth requests per IP per minute over all auth endpoints (Medplum), and per
 * operation budgets after Supabase (30 sign-ins or sign-ups per 5 minutes per IP, 150 token
 * refreshes per 5 minutes, a few emails per account per hour).
 */
const DEFAULTS: Record<Bucket, { ip?: string; account?: string }> = {
  auth: { ip: '160/60' },
  login: { ip: '30/300', account: '20/300' },
  register: { ip: '30/300', account: '5/3600' },
  refresh: { ip: '150/300' },
  'password-reset': { ip: '30/300', account: '5/3600' },
  mfa: { ip: '30/300' },
  api: { ip: '60/60' },
};

function envName(bucket: Bucket, dimension: 'ip' | 'account'): string {
  return `RATE_LIMIT_${bucket.toUpperCase().replace(/-/g, '_')}${dimension === 'account' ? '_ACCOUNT' : ''}`;
}

/** `N/S` = N requests per S seconds; `0` or `off` = no limit. */
function limit(env: Env, name: string, fallback: string | undefined): Limit | undefined {
  const raw = (env[name]?.trim() || fallback)?.toLowerCase();
  if (raw === undefined || raw === '0' || raw === 'off') return undefined;
  const match = /^(\d+)\s*\/\s*(\d+)$/.exec(raw);
  const count = Number(match?.[1]);
  const seconds = Number(match?.[2]);
  if (match === null || count < 1 || seconds < 1 || seconds > 86_400) {
    throw new ConfigError(name, `must be "requests/seconds" (e.g. 30/300) or 0 to switch it off, got "${env[name] ?? ''}"`);
  }
  return { limit: count, windowSeconds: seconds };
}

export function rateLimitConfig(env: Env): RateLimitConfig {
  const buckets = {} as Record<Bucket, BucketLimits>;
  for (const bucket of BUCKETS) {
    buckets[bucket] = {
      ip: limit(env, envName(bucket, 'ip'), DEFAULTS[bucket].ip),
      account: limit(env, envName(bucket, 'account'), DEFAULTS[bucket].account),
    };
  }
  return { enabled: bool(env, 'RATE_LIMITS', true), buckets };
}

/** Keycloak-style temporary lockout; defaults close to Keycloak's (wait 1 min growing to 15, reset after 12 h). */
export function bruteForceConfig(env: Env): BruteForceConfig {
  return {
    enabled: bool(env, 'BRUTE_FORCE', true),
    maxFailures: int(env, 'BRUTE_FORCE_MAX_FAILURES', 10, 1, 10_000),
    waitSeconds: int(env, 'BRUTE_FORCE_WAIT_SECONDS', 60, 1, 86_400),
    maxWaitSeconds: int(env, 'BRUTE_FORCE_MAX_WAIT_SECONDS', 900, 1, 7 * 86_400),
    resetSeconds: int(env, 'BRUTE_FORCE_RESET_SECONDS', 12 * 3600, 60, 30 * 86_400),
    accountMaxFailures: int(env, 'BRUTE_FORCE_ACCOUNT_MAX_FAILURES', 100, 1, 1_000_000),
    accountLockSeconds: int(env, 'BRUTE_FORCE_ACCOUNT_LOCK_SECONDS', 300, 1, 86_400),
  };
}
