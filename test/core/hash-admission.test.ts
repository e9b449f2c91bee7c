import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HashAdmission } from '../../src/core/hash-admission.ts';
import { PasswordHasher, type Job } from '../../src/core/passwords.ts';

/** A clock the test moves by hand. */
function manualClock(): { now: () => number; advance: (ms: number) => void } {
  let at = 0;
  return { now: () => at, advance: (ms) => (at += ms) };
}

describe('HashAdmission: shedding by expected and actual waiting time', () => {
  it('admits anyone while a hash slot is free, whatever the queue', () => {
    const admission = new HashAdmission({ concurrency: 2, maxWaitMs: 1000, queueLimit: 0 });
    admission.observe(5000);
    assert.equal(admission.admits(1, 0), true);
    assert.equal(admission.expectedWaitMs(1, 0), 0);
  });

  it('admits while the hashes ahead, times the measured mean, over the slots stay within the target', () => {
    const admission = new HashAdmission({ concurrency: 2, maxWaitMs: 1000, queueLimit: 10_000 });
    admission.observe(100);
    // (waiting + 1) x 100 ms / 2 slots <= 1000 ms: up to 19 waiting ahead.
    assert.equal(admission.expectedWaitMs(2, 19), 1000);
    assert.equal(admission.admits(2, 19), true);
    assert.equal(admission.expectedWaitMs(2, 20), 1050);
    assert.equal(admission.admits(2, 20), false);
  });

  it('admits a shorter queue when hashes take longer: the limit is a time, not a length', () => {
    const fast = new HashAdmission({ concurrency: 2, maxWaitMs: 1000, queueLimit: 10_000 });
    const slow = new HashAdmission({ concurrency: 2, maxWaitMs: 1000, queueLimit: 10_000 });
    fast.observe(10);
    slow.observe(400);
    assert.equal(fast.admits(2, 150), true);
    assert.equal(slow.admits(2, 4), true);
    assert.equal(slow.admits(2, 5), false);
  });

  it('follows the hash duration as a running mean', () => {
    const admission = new HashAdmission({ concurrency: 1, maxWaitMs: 1000, queueLimit: 100 });
    assert.equal(admission.meanHashMs, undefined);
    admission.observe(100);
    assert.equal(admission.meanHashMs, 100);
    admission.observe(200);
    assert.equal(admission.meanHashMs, 110);
    admission.observe(Number.NaN);
    admission.observe(-5);
    assert.equal(admission.meanHashMs, 110);
  });

  it('refuses past the hard queue cap even when hashes are fast', () => {
    const admission = new HashAdmission({ concurrency: 1, maxWaitMs: 1000, queueLimit: 3 });
    admission.observe(1);
    assert.equal(admission.admits(1, 2), true);
    assert.equal(admission.admits(1, 3), false);
  });

  it('before any hash was measured, admits and relies on the sojourn rule', () => {
    const clock = manualClock();
    const admission = new HashAdmission({ concurrency: 1, maxWaitMs: 1000, queueLimit: 100 }, clock.now);
    assert.equal(admission.admits(1, 50), true);
    const since = admission.enqueuedAt();
    clock.advance(2000);
    assert.equal(admission.overdue(since), false);
    clock.advance(1);
    assert.equal(admission.overdue(since), true);
  });
});

/** A hash runner the test finishes by hand, one job at a time in order. */
function manualRunner(): { run: (job: Job) => Promise<string | boolean>; started: Job[]; finishNext: () => void } {
  const pending: Array<{ job: Job; resolve: (value: string | boolean) => void }> = [];
  const started: Job[] = [];
  return {
    started,
    run: (job) =>
      new Promise((resolve) => {
        started.push(job);
        pending.push({ job, resolve });
      }),
    finishNext: () => {
      const next = pending.shift();
      assert.ok(next !== undefined, 'no hash is running');
      next.resolve(next.job.op === 'hash' ? `hashed:${next.job.password}` : next.job.password === 'right');
    },
  };
}

const settled = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('PasswordHasher admission (fake clock and hash durations)', () => {
  const base = { memoryKib: 8, iterations: 1, parallelism: 1 };

  it('refuses a newcomer at once when the measured hash time makes its wait too long, and serves it once the queue drains', async () => {
    const clock = manualClock();
    const runner = manualRunner();
    const hasher = new PasswordHasher({ ...base, concurrency: 1, queueLimit: 100, maxWaitMs: 1000 }, { now: clock.now, run: runner.run });
    // One hash measured at 400 ms.
    const first = hasher.hash('a');
    clock.advance(400);
    runner.finishNext();
    assert.equal(await first, 'hashed:a');
    assert.equal(hasher.meanHashMs, 400);

    const running = hasher.hash('b');
    const queued = [hasher.hash('c'), hasher.hash('d')];
    // Two waiting ahead: (2 + 1) x 400 ms = 1200 ms > 1000 ms.
    assert.equal(hasher.full, true);
    await assert.rejects(
      hasher.hash('e'),
      (error: { code?: string; extra?: { retryAfter?: number } }) => error.code === 'overloaded' && error.extra?.retryAfter === 1,
    );
    for (let i = 0; i < 3; i += 1) {
      clock.advance(400);
      runner.finishNext();
      await settled();
    }
    assert.deepEqual(await Promise.all([running, ...queued]), ['hashed:b', 'hashed:c', 'hashed:d']);
    assert.equal(hasher.full, false);
    assert.equal(hasher.inFlight, 0);
  });

  it('refuses waiters whose actual wait ran far past the target when their turn comes (cold start, sudden slowdown)', async () => {
    const clock = manualClock();
    const runner = manualRunner();
    const hasher = new PasswordHasher({ ...base, concurrency: 1, queueLimit: 100, maxWaitMs: 1000 }, { now: clock.now, run: runner.run });
    // Nothing measured yet: everyone is admitted.
    const running = hasher.verify('stored', 'right');
    const early = hasher.verify('stored', 'right');
    clock.advance(1500);
    const late = hasher.verify('stored', 'right');
    assert.equal(hasher.queueDepth, 2);
    // The first hash takes 2,500 ms: `early` has waited 2,500 ms (> 2 x 1,000), `late` 1,000.
    clock.advance(1000);
    runner.finishNext();
    assert.equal(await running, true);
    await assert.rejects(early, (error: { code?: string }) => error.code === 'overloaded');
    await settled();
    assert.equal(runner.started.length, 2, 'the overdue waiter never reached a hash thread');
    runner.finishNext();
    assert.equal(await late, true);
    assert.equal(hasher.inFlight, 0);
    assert.equal(hasher.queueDepth, 0);
  });

  // Regression: a dummy hash refused under load stayed cached as a rejected promise, so every later
  // login with an unknown email failed with "overloaded" for the life of the process.
  it('retries the dummy hash after it was refused', async () => {
    const runner = manualRunner();
    const hasher = new PasswordHasher({ ...base, concurrency: 1, queueLimit: 0, maxWaitMs: 1000 }, { run: runner.run });
    const busy = hasher.hash('busy');
    await assert.rejects(hasher.verifyDummy('x'), (error: { code?: string }) => error.code === 'overloaded');
    runner.finishNext();
    await busy;
    const dummy = hasher.verifyDummy('x');
    runner.finishNext();
    await settled();
    runner.finishNext();
    assert.equal(await dummy, false);
  });
});
