import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { bruteForceConfig, rateLimitConfig, type BruteForceConfig, type RateLimitConfig } from './core/abuse/config.ts';
import { bool, ConfigError, int, str, type Env } from './env.ts';

export { ConfigError } from './env.ts';

/**
 * One typed configuration, read from the environment once, validated, and frozen.
 * A wrong value stops the process with a message naming the variable, so a typo in
 * production fails loudly at start instead of silently running with a default.
 */
export interface Config {
  readonly host: string;
  readonly port: number;
  /** Public base URL, used as the JWT `iss` and in discovery documents. */
  readonly issuer: string;
  readonly dataDir: string;
  /** Shared buffers of the embedded PostgreSQL, in MB (memory vs. cache hits on large user tables). */
  readonly pgliteSharedBuffersMb: number;
  readonly databaseUrl: string | undefined;
  /** PostgreSQL only: connections, and the bounds that turn an outage into 503s instead of a pile-up. */
  readonly databasePool: { readonly max: number; readonly connectTimeoutMs: number; readonly statementTimeoutMs: number };
  readonly redisUrl: string | undefined;
  readonly adminToken: string | undefined;
  /** The web console (/console): GATEHOUSE_CONSOLE_REQUIRE_MFA refuses operators who signed in without a second factor. */
  readonly console: { readonly requireMfa: boolean };
  /** GATEHOUSE_URL: a running server's base URL; `gatehouse backup` and `secrets rotate` then go through its admin API. */
  readonly serverUrl: string | undefined;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly bodyLimit: number;
  /** Proxies whose X-Forwarded-For is believed: false, true, a hop count or a list of addresses/CIDRs. */
  readonly trustProxy: boolean | number | string[];
  readonly argon2: { readonly memoryKib: number; readonly iterations: number; readonly parallelism: number };
  /** Hashes running at once; a hard cap on hashes waiting (memory bound; the wait target sheds first). */
  readonly hashConcurrency: number;
  readonly hashQueueLimit: number;
  /** Sign-ins and sign-ups are shed with 503 when their expected wait for a hash slot passes this. */
  readonly hashMaxWaitMs: number;
  /** Nice value of the hashing threads: 10 lets the event loop (and a co-located database) win the CPU. */
  readonly hashThreadNice: number;
  /** How long a shed sign-in waits before its 503, so that retry loops cannot spin the event loop. */
  readonly hashShedDelayMs: number;
  readonly refreshGraceSeconds: number;
  readonly contracts: {
    readonly ovok: boolean;
    readonly pixelmover: boolean;
    readonly jinuai: boolean;
  };
  /** Project each contract serves when its requests carry no client id; undefined = the default project. */
  readonly contractProjects: {
    readonly pixelmover: string | undefined;
    readonly jinuai: string | undefined;
  };
  readonly sessions: {
    /** Cookie-session lifetimes (PixelMover `remember`). */
    readonly shortTtlSeconds: number;
    readonly rememberTtlSeconds: number;
    readonly cookieName: string;
  };
  readonly trialDays: number;
  readonly trialCredits: number;
  readonly smtpUrl: string | undefined;
  readonly mailFrom: string;
  readonly linkBaseUrl: string;
  /** Outgoing mail worker: poll interval, first retry delay (doubles per attempt), attempts before giving up. */
  readonly mail: { readonly pollMs: number; readonly retryBaseMs: number; readonly maxAttempts: number };
  /** GATEHOUSE_SECRET_KEY: encrypts private signing keys and MFA secrets; undefined = a key generated once and kept in the database. */
  readonly secretKey: string | undefined;
  /** GATEHOUSE_SECRET_KEY_PREVIOUS: keys that only decrypt, while a rotation moves secrets to GATEHOUSE_SECRET_KEY. */
  readonly secretKeyPrevious: readonly string[];
  /** Base URL of the Pwned Passwords range API (k-anonymity), used when a project turns the check on. */
  readonly breachedPasswordsUrl: string;
  /** Prefix of every Redis key and channel (instances of one deployment share it). */
  readonly redisKeyPrefix: string;
  readonly rateLimits: RateLimitConfig;
  readonly bruteForce: BruteForceConfig;
  /** GET /metrics; with a token it needs `Authorization: Bearer <token>`. */
  readonly metrics: { readonly enabled: boolean; readonly token: string | undefined };
}

function url(env: Env, name: string, protocols: readonly string[]): string | undefined {
  const raw = str(env, name);
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, 'must be a URL');
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must use ${protocols.join(' or ')}, got ${parsed.protocol}`);
  }
  return raw;
}

function uuid(env: Env, name: string): string | undefined {
  const raw = str(env, name);
  if (raw !== undefined && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(raw)) {
    throw new ConfigError(name, 'must be a project id (uuid)');
  }
  return raw?.toLowerCase();
}

function trustProxy(env: Env): boolean | number | string[] {
  const raw = str(env, 'TRUST_PROXY');
  if (raw === undefined || ['false', '0', 'off', 'no'].includes(raw.toLowerCase())) return false;
  if (['true', 'on', 'yes'].includes(raw.toLowerCase())) return true;
  if (/^\d+$/.test(raw)) return Number(raw);
  return raw
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

/** `memory://` keeps the embedded database in memory (tests, throwaway demos). */
function dataDir(env: Env): string {
  const raw = str(env, 'GATEHOUSE_DATA_DIR') ?? './data';
  return raw === 'memory://' ? raw : resolve(raw);
}

/** SMTP_HOST (+ SMTP_PORT, SMTP_USER, SMTP_PASSWORD, SMTP_SECURE) as an alternative to SMTP_URL. */
function smtpFromParts(env: Env): string | undefined {
  const host = str(env, 'SMTP_HOST');
  if (host === undefined) return undefined;
  const secure = bool(env, 'SMTP_SECURE', false);
  const port = int(env, 'SMTP_PORT', secure ? 465 : 587, 1, 65535);
  const user = str(env, 'SMTP_USER');
  const password = env.SMTP_PASSWORD ?? '';
  const auth = user === undefined ? '' : `${encodeURIComponent(user)}:${encodeURIComponent(password)}@`;
  return `${secure ? 'smtps' : 'smtp'}://${auth}${host}:${port}`;
}

/** 32 bytes, as 64 hex characters or base64/base64url. */
function checkKey(name: string, raw: string): string {
  const bytes = /^[0-9a-f]{64}$/i.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
  if (bytes.length !== 32) throw new ConfigError(name, 'must be 32 bytes, as 64 hex characters or base64');
  return raw;
}

function secretKey(env: Env): string | undefined {
  const raw = str(env, 'GATEHOUSE_SECRET_KEY');
  return raw === undefined ? undefined : checkKey('GATEHOUSE_SECRET_KEY', raw);
}

/** Comma-separated keys, each like GATEHOUSE_SECRET_KEY. */
function previousSecretKeys(env: Env): string[] {
  const name = 'GATEHOUSE_SECRET_KEY_PREVIOUS';
  const keys = (str(env, name) ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  return keys.map((key) => checkKey(name, key));
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function loadConfig(env: Env = process.env): Config {
  const port = int(env, 'PORT', 3000, 0, 65535);
  const logLevel = (str(env, 'LOG_LEVEL') ?? 'info').toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);
  }
  const adminToken = str(env, 'GATEHOUSE_ADMIN_TOKEN');
  if (adminToken !== undefined && adminToken.length < 16) {
    throw new ConfigError('GATEHOUSE_ADMIN_TOKEN', 'must be at least 16 characters');
  }
  const cores = availableParallelism();
  const issuer = url(env, 'GATEHOUSE_ISSUER', ['http:', 'https:']) ?? `http://localhost:${port}`;
  const enabled = (name: string): boolean => bool(env, `GATEHOUSE_CONTRACT_${name.toUpperCase()}`, true);

  const config: Config = {
    host: str(env, 'HOST') ?? '0.0.0.0',
    port,
    issuer: issuer.replace(/\/+$/, ''),
    dataDir: dataDir(env),
    pgliteSharedBuffersMb: int(env, 'PGLITE_SHARED_BUFFERS_MB', 16, 1, 4096),
    databaseUrl: url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
    databasePool: {
      max: int(env, 'DATABASE_POOL_MAX', 10, 1, 1000),
      connectTimeoutMs: int(env, 'DATABASE_CONNECT_TIMEOUT_MS', 2000, 100, 60_000),
      statementTimeoutMs: int(env, 'DATABASE_STATEMENT_TIMEOUT_MS', 10_000, 100, 3_600_000),
    },
    redisUrl: url(env, 'REDIS_URL', ['redis:', 'rediss:']),
    adminToken,
    console: { requireMfa: bool(env, 'GATEHOUSE_CONSOLE_REQUIRE_MFA', false) },
    serverUrl: url(env, 'GATEHOUSE_URL', ['http:', 'https:'])?.replace(/\/+$/, ''),
    logLevel: logLevel as Config['logLevel'],
    bodyLimit: int(env, 'BODY_LIMIT_BYTES', 64 * 1024, 1024, 50 * 1024 * 1024),
    trustProxy: trustProxy(env),
    argon2: {
      memoryKib: int(env, 'ARGON2_MEMORY_KIB', 19456, 8, 4 * 1024 * 1024),
      iterations: int(env, 'ARGON2_ITERATIONS', 2, 1, 100),
      parallelism: int(env, 'ARGON2_PARALLELISM', 1, 1, 16),
    },
    hashConcurrency: int(env, 'HASH_CONCURRENCY', cores, 1, 256),
    hashQueueLimit: int(env, 'HASH_QUEUE_LIMIT', cores * 256, 0, 100_000),
    hashMaxWaitMs: int(env, 'HASH_MAX_WAIT_MS', 1000, 0, 60_000),
    hashThreadNice: int(env, 'HASH_THREAD_NICE', 10, 0, 19),
    hashShedDelayMs: int(env, 'HASH_SHED_DELAY_MS', 1000, 0, 5_000),
    refreshGraceSeconds: int(env, 'REFRESH_GRACE_SECONDS', 10, 0, 3600),
    contracts: { ovok: enabled('ovok'), pixelmover: enabled('pixelmover'), jinuai: enabled('jinuai') },
    contractProjects: {
      pixelmover: uuid(env, 'PIXELMOVER_PROJECT_ID'),
      jinuai: uuid(env, 'JINUAI_PROJECT_ID'),
    },
    sessions: {
      shortTtlSeconds: int(env, 'SESSION_TTL_SECONDS', 2 * 3600, 60, 365 * 24 * 3600),
      rememberTtlSeconds: int(env, 'SESSION_REMEMBER_TTL_SECONDS', 30 * 24 * 3600, 60, 5 * 365 * 24 * 3600),
      cookieName: str(env, 'SESSION_COOKIE_NAME') ?? 'gatehouse_session',
    },
    trialDays: int(env, 'TRIAL_DAYS', 14, 0, 3650),
    trialCredits: int(env, 'TRIAL_CREDITS', 100, 0, 1_000_000_000),
    smtpUrl: url(env, 'SMTP_URL', ['smtp:', 'smtps:']) ?? smtpFromParts(env),
    mailFrom: str(env, 'MAIL_FROM') ?? 'Gatehouse <no-reply@localhost>',
    linkBaseUrl: (url(env, 'LINK_BASE_URL', ['http:', 'https:']) ?? issuer).replace(/\/+$/, ''),
    mail: {
      pollMs: int(env, 'MAIL_POLL_MS', 2000, 10, 3_600_000),
      retryBaseMs: int(env, 'MAIL_RETRY_BASE_MS', 5000, 1, 3_600_000),
      maxAttempts: int(env, 'MAIL_MAX_ATTEMPTS', 8, 1, 100),
    },
    secretKey: secretKey(env),
    secretKeyPrevious: previousSecretKeys(env),
    breachedPasswordsUrl: (url(env, 'BREACHED_PASSWORDS_URL', ['http:', 'https:']) ?? 'https://api.pwnedpasswords.com').replace(/\/+$/, ''),
    redisKeyPrefix: str(env, 'REDIS_KEY_PREFIX') ?? 'gatehouse:',
    rateLimits: rateLimitConfig(env),
    bruteForce: bruteForceConfig(env),
    metrics: { enabled: bool(env, 'METRICS', true), token: str(env, 'METRICS_TOKEN') },
  };
  return deepFreeze(config);
}

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) {
    if (child !== null && typeof child === 'object') deepFreeze(child as object);
  }
  return Object.freeze(value);
}

/** A config for tests and embedding: the defaults, with the given environment on top. */
export function configFrom(overrides: Env): Config {
  return loadConfig({ ...overrides });
}
