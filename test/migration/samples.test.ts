import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { importUsers } from '../../src/core/import/importer.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { importFile, listen, sample } from './helpers.ts';

type Http = Awaited<ReturnType<typeof listen>>;

/** The stored hash of a user, read straight from the database. */
async function storedHash(t: TestApp, email: string): Promise<string> {
  const user = await t.app.core.users.byEmail(t.projectId, email);
  assert.ok(user, `${email} exists`);
  return user.password_hash;
}

describe('migration samples: imported users sign in through their own contract over HTTP', () => {
  let t: TestApp;
  let http: Http;
  before(async () => {
    t = await createTestApp();
    http = await listen(t);
  });
  after(async () => t.close());

  it('PixelMover (Laravel CSV + API keys): the old password, the old integer id and the old keys work', async () => {
    const report = await importUsers(t.app.core, createReadStream(sample('laravel-users.csv')), {
      projectId: t.projectId,
      format: 'laravel',
      apiKeys: createReadStream(sample('laravel-api-keys.csv')),
    });
    assert.deepEqual(
      { imported: report.imported, skipped: report.skipped, failed: report.failed, keys: report.apiKeysImported },
      { imported: 3, skipped: 0, failed: [], keys: 2 },
    );

    const wrong = await http('/v1/auth/login', { body: { email: 'ada@example.com', password: 'ada-password-x' } });
    assert.equal(wrong.status, 422);
    const login = await http('/v1/auth/login', { body: { email: 'ada@example.com', password: 'ada-password-1' } });
    assert.equal(login.status, 200, JSON.stringify(login.body));
    const user = (login.body.data as { user: Record<string, unknown> }).user;
    assert.equal(user.id, 17);
    assert.equal(user.name, 'Ada Lovelace');
    assert.equal(user.company, 'Analytical Ltd');
    assert.equal(user.timezone, 'Europe/London');
    assert.equal(user.credits, 42.5);
    assert.equal(user.plan, 'pro');
    assert.equal(user.created_at, '2025-03-01T09:58:11.000000Z');

    const adaKey = `pm_live_${'a1'.repeat(20)}`;
    assert.equal(createHash('sha256').update(adaKey).digest('hex'), 'e85fea8a27887e1f2f2cbf1c96b4fb5931313879ccc3ae2c3b5fbc24805d03bb');
    for (const headers of [{ 'x-api-key': adaKey }, { authorization: `Bearer ${adaKey}` }] as Array<Record<string, string>>) {
      const me = await http('/v1/auth/me', { headers });
      assert.equal(me.status, 200, JSON.stringify(me.body));
      assert.equal((me.body.data as { user: { id: number } }).user.id, 17);
    }
    const alanKey = `pm_live_${'b2'.repeat(20)}`;
    const alan = await http('/v1/auth/me', { headers: { 'x-api-key': alanKey } });
    assert.equal((alan.body.data as { user: { id: number; name: string } }).user.id, 25);
    assert.equal((alan.body.data as { user: { name: string } }).user.name, 'Alan "Al" Turing');
    const keys = await http('/v1/api-keys', { headers: { 'x-api-key': adaKey } });
    const listed = keys.body.data as Array<{ name: string; is_primary: boolean; is_active: boolean }>;
    assert.deepEqual(
      listed.map((key) => [key.name, key.is_primary, key.is_active]),
      [['Default', true, true]],
    );
    const unknown = await http('/v1/auth/me', { headers: { 'x-api-key': `pm_live_${'c3'.repeat(20)}` } });
    assert.equal(unknown.status, 401);

    // Grace: $2y$10$, not verified, empty optional columns.
    const grace = await http('/v1/auth/login', { body: { email: 'grace@example.com', password: 'grace-password-2' } });
    assert.equal(grace.status, 200);
    assert.equal((grace.body.data as { user: { id: number; company: unknown } }).user.id, 18);
    assert.equal((grace.body.data as { user: { company: unknown } }).user.company, null);

    // Numbering goes on above the highest imported id.
    const registered = await http('/v1/auth/register', {
      body: {
        name: 'New Person',
        email: 'new.person@example.com',
        password: 'a-new-password-9',
        password_confirmation: 'a-new-password-9',
      },
    });
    assert.equal(registered.status, 201, JSON.stringify(registered.body));
    assert.equal((registered.body.data as { user: { id: number } }).user.id, 26);

    await t.app.core.signInPasswords.idle();
    assert.match(await storedHash(t, 'ada@example.com'), /^\$argon2id\$/);
    assert.match(await storedHash(t, 'alan@example.com'), /^\$2y\$12\$/, 'a user who has not signed in keeps the imported hash');
    const again = await http('/v1/auth/login', { body: { email: 'ada@example.com', password: 'ada-password-1' } });
    assert.equal(again.status, 200, 'the re-hashed password still signs in');
  });

  it('JinuAI (FastAPI rows): the old password, id and account work; an inactive user stays out', async () => {
    const report = await importFile(t, sample('fastapi-users.jsonl'), { format: 'fastapi' });
    assert.deepEqual([report.imported, report.failed], [2, []]);
    const wrong = await http('/api/v1/auth/login', { body: { email: 'jin@example.com', password: 'nope' } });
    assert.equal(wrong.status, 401);
    const login = await http('/api/v1/auth/login', { body: { email: 'jin@example.com', password: 'jin-password-4' } });
    assert.equal(login.status, 200, JSON.stringify(login.body));
    const whoami = await http('/api/v1/user/whoami', { headers: { authorization: `Bearer ${String(login.body.access_token)}` } });
    assert.equal(whoami.status, 200);
    assert.equal(whoami.body.id, '016959e2-93a9-4668-ac57-3900c2acdf1d');
    assert.equal(whoami.body.account, 'jinpark');
    assert.equal(whoami.body.name, 'Jin Park');
    assert.equal(whoami.body.is_active, true);

    // Mina's passlib pbkdf2 hash verifies, but her account was inactive and stays so.
    const minaHash = await storedHash(t, 'mina@example.com');
    assert.equal(await t.app.core.hasher.verify(minaHash, 'mina-password-5'), true);
    const mina = await http('/api/v1/auth/login', { body: { email: 'mina@example.com', password: 'mina-password-5' } });
    assert.notEqual(mina.status, 200);
    await t.app.core.signInPasswords.idle();
    assert.equal(await storedHash(t, 'mina@example.com'), minaHash, 'a refused sign-in re-hashes nothing');
  });

  it('Ovok (Medplum bulk export): the old password signs in as Patient/<imported id> with the old membership', async () => {
    const report = await importFile(t, sample('medplum-export.ndjson'), { format: 'medplum' });
    assert.deepEqual([report.imported, report.failed], [1, []]);
    const wrong = await http('/v2/auth/login', {
      body: { email: 'john.doe@example.com', password: 'wrong-password', clientId: t.clientId },
    });
    assert.equal(wrong.status, 401);
    const login = await http('/v2/auth/login', {
      body: { email: 'john.doe@example.com', password: 'john-password-6', clientId: t.clientId },
    });
    assert.equal(login.status, 200, JSON.stringify(login.body));
    assert.deepEqual(login.body.profile, { reference: 'Patient/a423c9e2-06bb-46b1-b50c-5d1460aa6442', display: 'John Doe' });
    const me = await http('/auth/me', { headers: { authorization: `Bearer ${String(login.body.accessToken)}` } });
    assert.equal(me.status, 200);
    const membership = me.body.membership as { id: string; user: { reference: string } };
    assert.equal(membership.id, 'ca564706-d55d-47d1-bfb5-9930a31908f5');
    assert.equal(membership.user.reference, 'User/bcb6754c-8933-4625-94c1-ffa7a499066c');
    assert.equal((me.body.profile as { id: string }).id, 'a423c9e2-06bb-46b1-b50c-5d1460aa6442');
    await t.app.core.signInPasswords.idle();
    assert.match(await storedHash(t, 'john.doe@example.com'), /^\$argon2id\$/);
  });
});
