/**
 * The peer: better-auth with email and password, as its docs set it up on Node (its own
 * node:http handler), in a process of its own. Database: the same kind as Gatehouse's run,
 * embedded PGlite on disk by default (through a Kysely dialect), PostgreSQL through a pg Pool
 * when DATABASE_URL is set. Its rate limiter is off because all load comes from one address,
 * as Gatehouse's is for the same reason.
 *
 * PEER_HASH=argon2id (the bench's default comparison): better-auth gets Gatehouse's password hash,
 * argon2id m=19456 KiB, t=2, p=1 through @node-rs/argon2, plugged in with the documented
 * `emailAndPassword.password` hash/verify hooks. @node-rs/argon2's asynchronous calls run on
 * libuv's thread pool (4 threads, Node's default), off the event loop, at normal priority: the
 * way a better-auth user would plug it in. PEER_HASH=scrypt: better-auth's own default (scrypt
 * N=16384, r=16, p=1), for the comparison of hash choices.
 */
import { hash as argon2Hash, verify as argon2Verify, type Options as Argon2Options } from '@node-rs/argon2';
import { PGlite } from '@electric-sql/pglite';
import { betterAuth, type BetterAuthOptions } from 'better-auth';
import { getMigrations } from 'better-auth/db/migration';
import { toNodeHandler } from 'better-auth/node';
import { createServer } from 'node:http';
import pg from 'pg';
import { PGliteDialect } from './pglite-dialect.ts';

const port = Number(process.env.PORT ?? '0');
const secret = process.env.BETTER_AUTH_SECRET;
if (secret === undefined || secret.length < 32) throw new Error('BETTER_AUTH_SECRET (32+ characters) is required');
const databaseUrl = process.env.DATABASE_URL;
const dataDir = process.env.PEER_DATA_DIR;

let close: () => Promise<void>;
let database: BetterAuthOptions['database'];
if (databaseUrl !== undefined && databaseUrl !== '') {
  // Pool size as Gatehouse's (src/db/connection.ts), so neither gets more connections.
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  database = pool;
  close = () => pool.end();
} else {
  if (dataDir === undefined) throw new Error('PEER_DATA_DIR or DATABASE_URL is required');
  const pglite = new PGlite(dataDir);
  await pglite.waitReady;
  database = { dialect: new PGliteDialect(pglite), type: 'postgres' };
  close = () => pglite.close();
}

const ARGON2ID: Argon2Options = { algorithm: 2 as Argon2Options['algorithm'], memoryCost: 19456, timeCost: 2, parallelism: 1 };
const hashChoice = process.env.PEER_HASH ?? 'scrypt';
if (hashChoice !== 'argon2id' && hashChoice !== 'scrypt') throw new Error(`PEER_HASH must be argon2id or scrypt, got ${hashChoice}`);
const password =
  hashChoice === 'argon2id'
    ? {
        hash: (plain: string) => argon2Hash(plain, ARGON2ID),
        verify: ({ hash, password: plain }: { hash: string; password: string }) => argon2Verify(hash, plain).catch(() => false),
      }
    : undefined;

const options: BetterAuthOptions = {
  secret,
  baseURL: `http://127.0.0.1:${port}`,
  database,
  emailAndPassword: { enabled: true, ...(password !== undefined && { password }) },
  rateLimit: { enabled: false },
  telemetry: { enabled: false },
  logger: { disabled: true },
};
const { runMigrations } = await getMigrations(options);
await runMigrations();
const auth = betterAuth(options);

const handler = toNodeHandler(auth);
const server = createServer((request, response) => {
  if (request.url === '/healthz') {
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    return;
  }
  void handler(request, response);
});
server.listen(port, '127.0.0.1');

const stop = (): void => {
  server.close();
  close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
