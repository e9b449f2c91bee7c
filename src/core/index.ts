import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { DatabaseHandle } from '../db/connection.ts';
import { BruteForceGuard } from './abuse/brute-force.ts';
import { mailOwnersOnLock } from './abuse/lock-notice.ts';
import { RateLimiter } from './abuse/rate-limits.ts';
import { ExpiringState } from './abuse/state-store.ts';
import { ApiKeys } from './api-keys.ts';
import { AuditLog } from './audit.ts';
import { Auth } from './auth.ts';
import { Deletions } from './deletions.ts';
import { Directory } from './directory.ts';
import { SecurityEvents } from './events.ts';
import { KeyStore } from './keys.ts';
import { createLifecycle, type Lifecycle } from './lifecycle/index.ts';
import { openSealedSecrets, type SealedSecrets } from './sealed-secrets.ts';
import { PasswordHasher } from './passwords.ts';
import { Plans } from './plans.ts';
import { Projects, type Client, type Project } from './projects.ts';
import { RedisConnection } from './redis.ts';
import { RedisRevocationStore } from './redis-revocations.ts';
import { MemoryRevocationStore, type RevocationStore } from './revocations.ts';
import { Sessions } from './sessions.ts';
import { SignInPasswords } from './sign-in-passwords.ts';
import { AccessTokens } from './tokens.ts';
import { createApi, type GatehouseApi } from './use-cases/index.ts';
import { BrowserSessions } from './oidc/browser-sessions.ts';
import { OAuthClients } from './oidc/clients.ts';
import { systemClock, type Clock } from './oidc/clock.ts';
import { AuthorizationCodes } from './oidc/codes.ts';
import { Consents } from './oidc/consents.ts';
import { Interactions } from './oidc/interactions.ts';
import { ProviderJwts } from './oidc/jwts.ts';
import { Users } from './users.ts';

/**
 * The core of one process: its services, and `api`, the use cases the HTTP surfaces call.
 * The services are for the CLI, the HTTP layer's own plugins (metrics, limits) and tests.
 */
export interface Core {
  /** What contracts and pages may call (core/use-cases). */
  readonly api: GatehouseApi;
  readonly config: Config;
  readonly database: DatabaseHandle;
  readonly logger: Logger;
  readonly events: SecurityEvents;
  readonly hasher: PasswordHasher;
  readonly keys: KeyStore;
  /** Encrypted secrets at rest (GATEHOUSE_SECRET_KEY): checks at start, `gatehouse secrets rotate`. */
  readonly secrets: SealedSecrets;
  readonly projects: Projects;
  readonly users: Users;
  readonly sessions: Sessions;
  readonly revocations: RevocationStore;
  readonly auth: Auth;
  readonly deletions: Deletions;
  /** Shared state between instances (REDIS_URL); undefined = everything in this process. */
  readonly redis: RedisConnection | undefined;
  readonly audit: AuditLog;
  readonly rateLimiter: RateLimiter;
  readonly bruteForce: BruteForceGuard;
  /** Email delivery, verification, password reset/change/policy and MFA (src/core/lifecycle, src/core/mail). */
  readonly lifecycle: Lifecycle;
  readonly apiKeys: ApiKeys;
  /** The password step of sign-ins: imported formats, equal timing, re-hash (core/sign-in-passwords.ts). */
  readonly signInPasswords: SignInPasswords;
  /** Starts the background workers: mail delivery, the deletion sweep, embedded-database maintenance. */
  start(): Promise<void>;
  /** Creates the default project and client on an empty database (idempotent), and logs their ids. */
  bootstrap(): Promise<{ project: Project; client: Client; created: boolean }>;
  /** Runs on close, last registered first (stores, timers, connections added by later features). */
  onClose(hook: () => Promise<void> | void): void;
  close(): Promise<void>;
}

export interface CoreOptions {
  /** Replaces the in-process revocation store (e.g. the Redis one). */
  readonly revocations?: RevocationStore;
  /** The OpenID provider's clock (authorization code and interaction lifetimes); tests set one. */
  readonly clock?: Clock;
}

/**
 * Builds the services on a migrated database, each given what it needs through its constructor.
 * Starts nothing in the background (see Core.start) and writes nothing (see Core.bootstrap).
 */
export async function createCore(config: Config, database: DatabaseHandle, logger: Logger, options: CoreOptions = {}): Promise<Core> {
  const { db } = database;
  // Before anything that needs closing: a database whose secrets this key cannot read stops the start here.
  const secrets = await openSealedSecrets(db, config, logger);
  const events = new SecurityEvents();
  events.onListenerError((error) => logger.error({ err: error }, 'security event listener failed'));
  const hasher = new PasswordHasher({
    ...config.argon2,
    concurrency: config.hashConcurrency,
    queueLimit: config.hashQueueLimit,
    maxWaitMs: config.hashMaxWaitMs,
    threadNice: config.hashThreadNice,
  });
  const keys = new KeyStore(db, secrets.box);
  await keys.init();
  const tokens = new AccessTokens(keys, config.issuer);
  const projects = new Projects(db);
  const redis = config.redisUrl === undefined ? undefined : new RedisConnection(config.redisUrl, config.redisKeyPrefix, logger);
  if (redis !== undefined && !(await redis.waitReady(2000)))
    logger.warn('Redis is not reachable yet: counting limits in this process until it is');
  const revocations = options.revocations ?? (redis === undefined ? new MemoryRevocationStore() : new RedisRevocationStore(redis, logger));
  // The embedded database is this process's alone (its directory is locked): see AuditLog.
  const audit = new AuditLog(db, logger, database.kind === 'pglite');
  events.on((event) => audit.record(event));
  const rateLimiter = new RateLimiter(redis);
  const bruteForce = new BruteForceGuard(config.bruteForce, new ExpiringState(redis), events);
  const sessions = new Sessions(db, revocations, config.refreshGraceSeconds);
  const users = new Users(db, async (userId) => {
    await sessions.revokeAllOf(userId, 'disabled');
  });
  const lifecycle = await createLifecycle({ config, db, logger, events, projects, users, sessions, hasher, box: secrets.box });
  mailOwnersOnLock({ events, mailer: lifecycle.mail, users, projects, state: new ExpiringState(redis), logger });
  const plans = new Plans(config);
  const apiKeys = new ApiKeys(db);
  const signInPasswords = new SignInPasswords(db, hasher, users, logger);
  const auth = new Auth({
    projects,
    users,
    sessions,
    tokens,
    hasher,
    revocations,
    events,
    apiKeys,
    loginGuard: bruteForce,
    passwordPolicy: lifecycle.passwordPolicy,
    mfa: lifecycle.mfa,
    newAccountPlan: () => plans.trial(),
    passwords: signInPasswords,
  });
  const deletions = new Deletions(db, users, sessions, events);
  const directory = new Directory(db, users);
  const health = async (): Promise<boolean> => {
    try {
      await sql`SELECT 1`.execute(db);
      return true;
    } catch (error) {
      logger.warn({ err: error }, 'database health check failed');
      return false;
    }
  };
  const clock = options.clock ?? systemClock;
  const oidc = {
    clock,
    clients: new OAuthClients(projects),
    codes: new AuthorizationCodes(db, clock),
    consents: new Consents(db),
    interactions: new Interactions(db, clock),
    browserSessions: new BrowserSessions(db, sessions, revocations, events),
    jwts: new ProviderJwts(keys, config.issuer),
  };
  const api = createApi({
    config,
    projects,
    users,
    sessions,
    auth,
    apiKeys,
    deletions,
    directory,
    lifecycle,
    keys,
    audit,
    events,
    bruteForce,
    hasher,
    logger,
    health,
    tokens,
    revocations,
    database,
    signInPasswords,
    secrets,
    oidc,
  });

  const closeHooks: Array<() => Promise<void> | void> = [];
  let closed = false;
  return {
    api,
    config,
    database,
    logger,
    events,
    hasher,
    keys,
    secrets,
    projects,
    users,
    sessions,
    revocations,
    auth,
    deletions,
    lifecycle,
    apiKeys,
    signInPasswords,
    redis,
    audit,
    rateLimiter,
    bruteForce,
    async start() {
      await database.startMaintenance((error) => logger.error({ err: error }, 'database maintenance failed'));
      deletions.start((error) => logger.error({ err: error }, 'scheduled deletion sweep failed'));
      lifecycle.mail.start();
    },
    async bootstrap() {
      const bootstrapped = await projects.ensureDefault();
      const ids = { projectId: bootstrapped.project.id, clientId: bootstrapped.client.id };
      logger.info(
        ids,
        bootstrapped.created ? 'created the default project and client application' : 'default project and client application',
      );
      await api.operators.announceIfNone();
      return bootstrapped;
    },
    onClose: (hook) => closeHooks.push(hook),
    async close() {
      if (closed) return;
      closed = true;
      deletions.stop();
      await lifecycle.close();
      await signInPasswords.idle();
      for (const hook of closeHooks.reverse()) await hook();
      await audit.close();
      await revocations.close();
      await redis?.close();
      await hasher.close();
      await database.close();
    },
  };
}
