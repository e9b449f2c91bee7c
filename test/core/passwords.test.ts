import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { PasswordHasher } from '../../src/core/passwords.ts';

const cheap = { memoryKib: 256, iterations: 1, parallelism: 1, maxWaitMs: 60_000 };

/** Nice values of this process's threads (field 19 of /proc/self/task/<tid>/stat). */
function threadNiceValues(): number[] {
  return readdirSync('/proc/self/task').map((tid) => {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[16]);
  });
}

describe('PasswordHasher', () => {
  it('hashes argon2id and verifies right and wrong passwords and malformed hashes', async () => {
    const hasher = new PasswordHasher({ ...cheap, concurrency: 2, queueLimit: 10 });
    try {
      const hash = await hasher.hash('correct horse');
      assert.match(hash, /^\$argon2id\$v=19\$m=256,t=1,p=1\$/);
      assert.equal(await hasher.verify(hash, 'correct horse'), true);
      assert.equal(await hasher.verify(hash, 'wrong horse'), false);
      assert.equal(await hasher.verify('not-a-hash', 'correct horse'), false);
      assert.equal(await hasher.verifyDummy('anything'), false);
    } finally {
      await hasher.close();
    }
  });

  it('runs hashes on threads niced below the event loop', async () => {
    const hasher = new PasswordHasher({ ...cheap, concurrency: 1, queueLimit: 10 });
    try {
      await hasher.hash('x');
      const values = threadNiceValues();
      assert.ok(values.includes(10), `expected a thread at nice 10, saw ${values.join(',')}`);
      assert.equal(values[0], 0, 'the main thread keeps its priority');
    } finally {
      await hasher.close();
    }
  });

  it('sheds work beyond the queue limit with Overloaded and a retry hint', async () => {
    const hasher = new PasswordHasher({ memoryKib: 8192, iterations: 3, parallelism: 1, concurrency: 1, queueLimit: 1, maxWaitMs: 60_000 });
    try {
      const results = await Promise.allSettled(Array.from({ length: 6 }, () => hasher.hash('x')));
      const rejected = results.filter((result) => result.status === 'rejected');
      assert.equal(results.filter((result) => result.status === 'fulfilled').length, 2);
      assert.equal(rejected.length, 4);
      for (const result of rejected) {
        const error = (result as PromiseRejectedResult).reason as { code: string; extra: { retryAfter?: number } };
        assert.equal(error.code, 'overloaded');
        assert.equal(error.extra.retryAfter, 1);
      }
      assert.equal(hasher.inFlight, 0);
    } finally {
      await hasher.close();
    }
  });
});
