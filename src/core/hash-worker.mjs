// One argon2id worker thread. It lowers its own scheduling priority (Linux nice values are
// per thread), so under load the event loop thread always runs first: health checks and
// token-authenticated requests stay fast while hashing soaks up whatever CPU is left.
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { hashSync, verifySync } from '@node-rs/argon2';

try {
  const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
  if (Number.isInteger(tid) && tid > 0) setPriority(tid, workerData.nice);
} catch {
  // Not Linux, or not allowed: hashing still works, just at normal priority.
}

parentPort.on('message', (job) => {
  try {
    const value =
      job.op === 'hash' ? hashSync(job.password, workerData.options) : safeVerify(job.hash, job.password);
    parentPort.postMessage({ id: job.id, value });
  } catch (error) {
    parentPort.postMessage({ id: job.id, error: error instanceof Error ? error.message : String(error) });
  }
});

function safeVerify(hash, password) {
  try {
    return verifySync(hash, password);
  } catch {
    // A malformed stored hash never matches.
    return false;
  }
}
