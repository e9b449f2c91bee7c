// One argon2id worker thread. It lowers its own scheduling priority (Linux nice values are
// per thread), so under load the event loop thread always runs first: health checks and
// token-authenticated requests stay fast while hashing soaks up whatever CPU is left.
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { hashSync } from '@node-rs/argon2';
import { verifyPassword } from './legacy-verify.mjs';

try {
  const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
  if (Number.isInteger(tid) && tid > 0) setPriority(tid, workerData.nice);
} catch {
  // Not Linux, or not allowed: hashing still works, just at normal priority.
}

parentPort.on('message', (job) => {
  try {
    const started = performance.now();
    // Any supported format verifies (legacy-verify.mjs); a malformed hash is simply false.
    const value = job.op === 'hash' ? hashSync(job.password, workerData.options) : verifyPassword(job.hash, job.password);
    // Time on this thread alone, without queueing: what sign-in timing is padded with (password-timing.ts).
    parentPort.postMessage({ id: job.id, value, ms: performance.now() - started });
  } catch (error) {
    parentPort.postMessage({ id: job.id, error: error instanceof Error ? error.message : String(error) });
  }
});
