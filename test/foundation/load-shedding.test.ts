import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createTestApp } from '../helpers/app.ts';
import { ovokRegister } from '../helpers/ovok.ts';

describe('load shedding by waiting time', () => {
  // Regression: admission looked only at the hash queue, which a burst of sign-ins arriving
  // together does not reach until after its body parse and user lookup: the whole burst was
  // admitted, looked up, then refused at the queue, holding the database meanwhile.
  it('admits a burst of sign-ins only as far as the wait target allows, counting them from arrival, and frees the count when they end', async () => {
    // One hash slot and no acceptable wait: exactly one sign-in may be in progress at a time.
    const h = await createTestApp({ HASH_CONCURRENCY: '1', HASH_MAX_WAIT_MS: '0', HASH_SHED_DELAY_MS: '0' });
    try {
      // Registration measures one hash, so the expected wait of a second sign-in is known to be > 0.
      const { email, password } = await ovokRegister(h.app, h.clientId);
      let lookups = 0;
      const users = h.app.core.users;
      const original = users.forSignIn.bind(users);
      users.forSignIn = async (...args) => {
        lookups += 1;
        return original(...args);
      };
      const login = () => h.app.inject({ method: 'POST', url: '/v2/auth/login', payload: { email, password, clientId: h.clientId } });
      const burst = await Promise.all(Array.from({ length: 5 }, login));
      assert.deepEqual(burst.map((r) => r.statusCode).sort(), [200, 503, 503, 503, 503]);
      assert.equal(lookups, 1, 'refused sign-ins were looked up');
      for (const r of burst.filter((r) => r.statusCode === 503)) assert.equal(r.headers['retry-after'], '1');
      // A request that fails validation was admitted too, and must not stay counted.
      const bad = await h.app.inject({ method: 'POST', url: '/v2/auth/login', payload: { email } });
      assert.equal(bad.statusCode, 422);
      for (let i = 0; i < 3; i += 1) assert.equal((await login()).statusCode, 200);
      assert.equal(lookups, 4);
      users.forSignIn = original;
    } finally {
      await h.close();
    }
  });
});
