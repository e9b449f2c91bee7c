import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BruteForceGuard } from '../../src/core/abuse/brute-force.ts';
import { bruteForceConfig } from '../../src/core/abuse/config.ts';
import { ExpiringState } from '../../src/core/abuse/state-store.ts';
import { SecurityEvents, type SecurityEvent } from '../../src/core/events.ts';
import { listOutbox } from '../../src/core/mail/outbox.ts';
import { createTestApp, json, type TestApp } from '../helpers/app.ts';
import { ovokRegister, uniqueEmail } from '../helpers/ovok.ts';

interface Outcome {
  issue: Array<{ code: string; details: { text: string } }>;
}

describe('brute-force protection', () => {
  let t: TestApp;
  const events: SecurityEvent[] = [];
  before(async () => {
    t = await createTestApp({
      BRUTE_FORCE: 'on',
      BRUTE_FORCE_MAX_FAILURES: '3',
      BRUTE_FORCE_WAIT_SECONDS: '60',
      BRUTE_FORCE_ACCOUNT_MAX_FAILURES: '8',
      BRUTE_FORCE_ACCOUNT_LOCK_SECONDS: '120',
    });
    t.app.core.events.on((event) => {
      events.push(event);
    });
  });
  after(async () => t.close());

  const login = (email: string, password: string, remoteAddress: string) =>
    t.app.inject({ method: 'POST', url: '/v2/auth/login', remoteAddress, payload: { email, password, clientId: t.clientId } });

  it('locks the attacking address, not the victim: the owner still logs in from their own address', async () => {
    const { email, password } = await ovokRegister(t.app, t.clientId);
    for (let i = 0; i < 3; i += 1) assert.equal((await login(email, `guess-number-${i}`, '203.0.113.66')).statusCode, 401);
    // Even the right password is refused from the attacking address while it waits.
    const locked = await login(email, password, '203.0.113.66');
    assert.equal(locked.statusCode, 429);
    assert.equal(json<Outcome>(locked).issue[0]?.code, 'throttled');
    const retryAfter = Number(locked.headers['retry-after']);
    assert.ok(retryAfter > 0 && retryAfter <= 60, `retry-after ${retryAfter}`);
    // The victim, from elsewhere, is not affected.
    assert.equal((await login(email, password, '198.51.100.7')).statusCode, 200);
    const lock = events.find((event) => event.action === 'account.locked' && event.remoteAddress === '203.0.113.66');
    assert.equal(lock?.detail?.scope, 'address');
    assert.equal(lock?.detail?.email, email.toLowerCase());

    // The owner is told (through the mail outbox), once however many locks follow.
    const notices = async () =>
      (await listOutbox(t.app.core.database.db, { to: email, limit: 10 })).filter((row) => row.kind === 'account-locked');
    const deadline = Date.now() + 5000;
    while ((await notices()).length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    const [notice] = await notices();
    assert.ok(notice, 'a lock notice was queued');
    assert.match(notice.subject, /Failed sign-in attempts/);
    for (let i = 0; i < 3; i += 1) await login(email, 'wrong-password', '203.0.113.67');
    await t.app.core.audit.flush();
    assert.equal((await notices()).length, 1);
  });

  it('resets the count after a successful login', async () => {
    const { email, password } = await ovokRegister(t.app, t.clientId);
    for (let round = 0; round < 3; round += 1) {
      for (let i = 0; i < 2; i += 1) assert.equal((await login(email, 'wrong-password', '203.0.113.10')).statusCode, 401);
      assert.equal((await login(email, password, '203.0.113.10')).statusCode, 200);
    }
  });

  it('treats unknown emails the same way (the lock reveals nothing about which accounts exist)', async () => {
    const email = uniqueEmail('ghost');
    for (let i = 0; i < 3; i += 1) assert.equal((await login(email, 'wrong-password', '203.0.113.20')).statusCode, 401);
    assert.equal((await login(email, 'wrong-password', '203.0.113.20')).statusCode, 429);
  });

  it('locks the account itself only after many failures from many addresses, and never for addresses it logged in from', async () => {
    const { email, password } = await ovokRegister(t.app, t.clientId);
    assert.equal((await login(email, password, '198.51.100.50')).statusCode, 200);
    // A distributed attack: 8 failures spread over 4 addresses (none of them reaching the per-address lock).
    for (let i = 0; i < 8; i += 1) assert.equal((await login(email, 'wrong-password', `192.0.2.${i % 4}`)).statusCode, 401);
    const fromNewAddress = await login(email, password, '198.51.100.99');
    assert.equal(fromNewAddress.statusCode, 429);
    assert.ok(Number(fromNewAddress.headers['retry-after']) <= 120);
    // The owner's known address still works, so the attacker cannot lock them out.
    assert.equal((await login(email, password, '198.51.100.50')).statusCode, 200);
    const lock = events.find(
      (event) => event.action === 'account.locked' && event.detail?.scope === 'account' && event.detail.email === email.toLowerCase(),
    );
    assert.ok(lock, 'an account.locked event was emitted');
    assert.ok(lock.userId, 'it names the user, so the owner can be told');
  });

  it('can be switched off', async () => {
    const config = { ...bruteForceConfig({ BRUTE_FORCE: 'off', BRUTE_FORCE_MAX_FAILURES: '1' }) };
    const guard = new BruteForceGuard(config, new ExpiringState(undefined), new SecurityEvents());
    for (let i = 0; i < 5; i += 1) await guard.failed(t.projectId, 'x@example.com', '192.0.2.1', undefined);
    await guard.check(t.projectId, 'x@example.com', '192.0.2.1');
  });
});
