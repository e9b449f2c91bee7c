/**
 * The machine's password-hashing ceiling, as a small service so the bench can measure it in short
 * segments interleaved with the servers' sign-ins: GET /run?seconds=2 runs one verify loop per
 * core for that long, nothing else running in this process, and answers the rate.
 *
 * argon2id uses Gatehouse's default parameters (src/config.ts: m=19456 KiB, t=2, p=1), through
 * @node-rs/argon2's asynchronous verify (libuv's thread pool, one thread per loop). GET
 * /scrypt?seconds=2 measures better-auth's default hash (scrypt N=16384, r=16, p=1, 64-byte key)
 * the same way, for the comparison of hash choices.
 */
import { hash, verify, type Options } from '@node-rs/argon2';
import { randomBytes, scrypt } from 'node:crypto';
import { createServer } from 'node:http';
import { availableParallelism } from 'node:os';

const ARGON2ID: Options = { algorithm: 2 as Options['algorithm'], memoryCost: 19456, timeCost: 2, parallelism: 1 };
const SCRYPT = { N: 16384, r: 16, p: 1, maxmem: 128 * 16384 * 16 * 2 };
const loops = availableParallelism();
const password = 'correct horse battery staple';
const stored = await hash(password, ARGON2ID);
const salt = randomBytes(16).toString('hex');

/** Runs `loops` back-to-back loops of `once` for `ms`; each loop keeps exactly one libuv thread busy. */
async function rate(once: () => Promise<unknown>, ms: number): Promise<{ perSecond: number; done: number; seconds: number }> {
  let done = 0;
  const started = performance.now();
  const deadline = started + ms;
  await Promise.all(
    Array.from({ length: loops }, async () => {
      while (performance.now() < deadline) {
        await once();
        done += 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { perSecond: Math.round((done / seconds) * 10) / 10, done, seconds: Math.round(seconds * 100) / 100 };
}

const argon2Once = async (): Promise<void> => {
  if (!(await verify(stored, password))) throw new Error('argon2id verify failed');
};
const scryptOnce = (): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    scrypt(password, salt, 64, SCRYPT, (error, key) => (error === null ? resolve(key) : reject(error)));
  });

// One measurement at a time: a second request waits for the first.
let busy: Promise<unknown> = Promise.resolve();
const server = createServer((request, response) => {
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (url.pathname === '/healthz') {
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    return;
  }
  const once = url.pathname === '/run' ? argon2Once : url.pathname === '/scrypt' ? scryptOnce : undefined;
  if (once === undefined) {
    response.writeHead(404).end();
    return;
  }
  const ms = Math.max(100, Number(url.searchParams.get('seconds') ?? '2') * 1000);
  const run = busy.then(() => rate(once, ms));
  busy = run.catch(() => undefined);
  run.then(
    (result) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ loops, ...result })),
    (error: unknown) => response.writeHead(500).end(String(error)),
  );
});
server.listen(Number(process.env.PORT ?? '0'), '127.0.0.1');
const stop = (): void => {
  server.close();
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
