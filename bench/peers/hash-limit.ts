/**
 * The machine's password-hashing ceiling, measured alone in its own process: one verify loop
 * per core, nothing else running. Prints one JSON line.
 *
 * argon2id uses Gatehouse's default parameters (src/config.ts: m=19456 KiB, t=2, p=1).
 * scrypt uses better-auth's (N=16384, r=16, p=1, 64-byte key) so the peer's sign-in figures
 * can be read against their own ceiling.
 */
import { hash, verify, type Options } from '@node-rs/argon2';
import { randomBytes, scrypt } from 'node:crypto';
import { availableParallelism } from 'node:os';

const ARGON2ID: Options = { algorithm: 2 as Options['algorithm'], memoryCost: 19456, timeCost: 2, parallelism: 1 };
const SCRYPT = { N: 16384, r: 16, p: 1, maxmem: 128 * 16384 * 16 * 2 };

const seconds = Number(process.env.HASH_LIMIT_SECONDS ?? '5');
const loops = availableParallelism();

/** Runs `loops` back-to-back loops of `once` for `ms`; each loop keeps exactly one libuv thread busy. */
async function rate(once: () => Promise<unknown>, ms: number): Promise<number> {
  await Promise.all(Array.from({ length: loops }, once));
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
  return done / ((performance.now() - started) / 1000);
}

function scryptOnce(password: string, salt: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, 64, SCRYPT, (error, key) => (error === null ? resolve(key) : reject(error)));
  });
}

const startedAt = performance.now();
const cpuAtStart = process.cpuUsage();
const password = 'correct horse battery staple';
const stored = await hash(password, ARGON2ID);
const argon2idVerifyPerSecond = await rate(async () => {
  if (!(await verify(stored, password))) throw new Error('argon2id verify failed');
}, seconds * 1000);
const salt = randomBytes(16).toString('hex');
const scryptPerSecond = await rate(() => scryptOnce(password, salt), Math.max(2, seconds / 2) * 1000);

// Lets the parent tell how much of the machine these loops really had.
const cpu = process.cpuUsage(cpuAtStart);
const cores = (cpu.user + cpu.system) / 1000 / (performance.now() - startedAt);
process.stdout.write(
  `${JSON.stringify({
    loops,
    seconds,
    cores: Math.round(cores * 100) / 100,
    argon2idVerifyPerSecond: Math.round(argon2idVerifyPerSecond * 10) / 10,
    scryptPerSecond: Math.round(scryptPerSecond * 10) / 10,
  })}\n`,
);
