import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { DatabaseHandle } from '../db/connection.ts';
import { migrate } from '../db/migrate.ts';
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
import { PasswordHasher } from './passwords.ts';
import { Plans } from './plans.ts';
import { Projects } from './projects.ts';
import { RedisConnection } from './redis.ts';
import { RedisRevocationStore } from './redis-revocations.ts';
import { MemoryRevocationStore, type RevocationStore } from './revocations.ts';
import { Sessions } from './sessions.ts';
import { AccessTokens } from './tokens.ts';
import { Users } from './users.ts';

/** Everything the HTTP layer may call. Built once per process (or per test app). */
export interface Core {
  readonly config: Config;
  readonly database: DatabaseHandle;
  readonly logger: Logger;
  readonly events: SecurityEvents;
  readonly hasher: PasswordHasher;
  readonly keys: KeyStore;
  readonly tokens: AccessTokens;
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
  readonly directory: Directory;
  /** Email delivery, verification, password reset/change/policy and MFA (src/core/lifecycle, src/core/mail). */
  readonly lifecycle: Lifecycle;
  /** Users' API keys (any contract may accept them). */
  readonly apiKeys: ApiKeys;
  /** Plans and credits; new accounts start on the trial. */
  readonly plans: Plans;
  /** Runs on close, last registered first (stores, timers, connections added by later features). */
  onClose(hook: () => Promise<void> | void): void;
  close(): Promise<void>;
}

export interface CoreOptions {
  /** Replaces the in-process revocation store (e.g. the Redis one). */
  readonly revocations?: RevocationStore;
}

/** Migrates the database, loads or creates signing keys and the default project, and wires the services. */
export async function createCore(config: Config, database: DatabaseHandle, logger: Logger, options: CoreOptions = {}): Promise<Core> {
  const applied = await migrate(database);
  if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');
  await database.startMaintenance((error) => logger.error({ err: error }, 'database maintenance failed'));

  const { db } = database;
  const events = new SecurityEvents();
  events.onListenerError((error) => logger.error({ err: error }, 'security event listener failed'));
  const hasher = new PasswordHasher({
    ...config.argon2,
    concurrency: config.hashConcurrency,
    queueLimit: config.hashQueueLimit,
    maxWaitMs: config.hashMaxWaitMs,
    threadNice: config.hashThreadNice,
  });
  const keys = new KeyStore(db);
  await keys.init();
  const tokens = new AccessTokens(keys, config.issuer);
  const projects = new Projects(db);
  const users = new Users(db);
  const redis = config.redisUrl === undefined ? undefined : new RedisConnection(config.redisUrl, config.redisKeyPrefix, logger);
  if (redis !== undefined && !(await redis.waitReady(2000))) logger.warn('Redis is not reachable yet: counting limits in this process until it is');
  const revocations = options.revocations ?? (redis === undefined ? new MemoryRevocationStore() : new RedisRevocationStore(redis, logger));
  // The embedded database is this process's alone (its directory is locked): see AuditLog.
  const audit = new AuditLog(db, logger, database.kind === 'pglite');
  events.on((event) => audit.record(event));
  const rateLimiter = new RateLimiter(redis);
  const bruteForce = new BruteForceGuard(config.bruteForce, new ExpiringState(redis), events);
  const sessions = new Sessions(db, revocations, config.refreshGraceSeconds);
  users.onDeactivated = async (userId) => {
    await sessions.revokeAllOf(userId, 'disabled');
  };
  const auth = new Auth(projects, users, sessions, tokens, hasher, revocations, events);
  auth.loginGuard = bruteForce;
  const deletions = new Deletions(db, users, sessions, events);
  deletions.start((error) => logger.error({ err: error }, 'scheduled deletion sweep failed'));
  const directory = new Directory(db, users);
  const lifecycle = await createLifecycle({ config, db, logger, events, projects, users, sessions, hasher });
  mailOwnersOnLock({ events, mailer: lifecycle.mail, users, projects, state: new ExpiringState(redis), logger });
  auth.passwordPolicy = lifecycle.passwordPolicy;
  auth.mfa = lifecycle.mfa;
  const plans = new Plans(config);
  auth.newAccountPlan = () => plans.trial();
  const apiKeys = new ApiKeys(db);

  const bootstrap = await projects.ensureDefault();
  if (bootstrap.created) {
    logger.info({ projectId: bootstrap.project.id, clientId: bootstrap.client.id }, 'created the default project and client application');
  } else {
    logger.info({ projectId: bootstrap.project.id, clientId: bootstrap.client.id }, 'default project and client application');
  }

  const closeHooks: Array<() => Promise<void> | void> = [];
  let closed = false;
  return {
    config,
    database,
    logger,
    events,
    hasher,
    keys,
    tokens,
    projects,
    users,
    sessions,
    revocations,
    auth,
    deletions,
    directory,
    lifecycle,
    apiKeys,
    plans,
    redis,
    audit,
    rateLimiter,
    bruteForce,
    onClose: (hook) => closeHooks.push(hook),
    async close() {
      if (closed) return;
      closed = true;
      deletions.stop();
      await lifecycle.close();
      for (const hook of closeHooks.reverse()) await hook();
      await audit.close();
      await revocations.close();
      await redis?.close();
      await hasher.close();
      await database.close();
    },
  };
}
