import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { hash as argon2Hash, type Algorithm } from '@node-rs/argon2';
import bcrypt from 'bcryptjs';
import { hashFormat, needsRehash, NO_PASSWORD } from '../../src/core/password-formats.ts';
import { PasswordHasher } from '../../src/core/passwords.ts';
import { createTestApp, json, type TestApp } from '../helpers/app.ts';
import { importText, lines } from './helpers.ts';

const ARGON2I = 1 as Algorithm;
const ARGON2ID = 2 as Algorithm;

/** Laravel writes bcrypt as PHP's password_hash does: `$2y$`. bcryptjs takes the `$2y$` salt as is. */
function laravelBcrypt(password: string, cost: number): string {
  return bcrypt.hashSync(password, bcrypt.genSaltSync(cost).replace(/^\$2b\$/, '$2y$'));
}

interface Case {
  readonly name: string;
  readonly password: string;
  readonly hash: () => Promise<string> | string;
  readonly scheme: string;
}

const CASES: readonly Case[] = [
  {
    name: 'bcrypt $2y$ (Laravel, bcryptjs)',
    password: 'laravel-secret-1',
    hash: () => laravelBcrypt('laravel-secret-1', 5),
    scheme: 'bcrypt',
  },
  {
    name: 'bcrypt $2b$ (passlib, bcryptjs)',
    password: 'passlib-secret-2',
    hash: () => bcrypt.hashSync('passlib-secret-2', 4),
    scheme: 'bcrypt',
  },
  {
    name: 'bcrypt $2a$ (Medplum sample)',
    password: 'john-password-6',
    hash: () => '$2a$10$ae.m9B7sHu.0CQ/hc3XPJeExXdCnuIsql34.A.iEbYGQXClAmiyte',
    scheme: 'bcrypt',
  },
  {
    name: 'argon2id with other parameters (Laravel argon2 driver)',
    password: 'argon-secret-3',
    hash: () => argon2Hash('argon-secret-3', { algorithm: ARGON2ID, memoryCost: 1024, timeCost: 3, parallelism: 2 }),
    scheme: 'argon2id',
  },
  {
    name: 'argon2i (pwdlib)',
    password: 'argon-secret-4',
    hash: () => argon2Hash('argon-secret-4', { algorithm: ARGON2I, memoryCost: 512, timeCost: 2, parallelism: 1 }),
    scheme: 'argon2i',
  },
  {
    // passlib's own test vector (passlib/tests/test_handlers_pbkdf2.py, known_correct_hashes).
    name: 'passlib $pbkdf2-sha256$',
    password: 'password',
    hash: () => '$pbkdf2-sha256$1212$4vjV83LKPjQzk31VI4E0Vw$hsYF68OiOUPdDZ1Fg.fJPeq1h/gXXY7acBp9/6c.tmQ',
    scheme: 'pbkdf2-sha256',
  },
  {
    // Django's own test vector (tests/auth_tests/test_hashers.py, Django 3.2 iterations).
    name: 'Django pbkdf2_sha256$',
    password: 'lètmein',
    hash: () => 'pbkdf2_sha256$260000$seasalt$YlZ2Vggtqdc61YjArZuoApoBh9JNGYoDRBUGu6tcJQo=',
    scheme: 'django-pbkdf2-sha256',
  },
];

describe('legacy password hash formats', () => {
  const hasher = new PasswordHasher({ memoryKib: 256, iterations: 1, parallelism: 1, concurrency: 2, queueLimit: 50 });
  after(async () => hasher.close());

  for (const testCase of CASES) {
    it(`${testCase.name}: verifies the right password on a hash thread and refuses a wrong one`, async () => {
      const hash = await testCase.hash();
      const format = hashFormat(hash);
      assert.equal(format.ok && format.scheme, testCase.scheme);
      assert.equal(await hasher.verify(hash, testCase.password), true);
      assert.equal(await hasher.verify(hash, `${testCase.password}x`), false);
      assert.equal(await hasher.verify(hash, ''), false);
      assert.equal(needsRehash(hash, hasher.settings), true);
    });
  }

  it('bcrypt compares the first 72 bytes, as Laravel and passlib do', async () => {
    const long = 'p'.repeat(100);
    const hash = laravelBcrypt(long, 4);
    assert.equal(await hasher.verify(hash, long), true);
    assert.equal(await hasher.verify(hash, 'p'.repeat(72)), true);
    assert.equal(await hasher.verify(hash, 'p'.repeat(71)), false);
  });

  it("keeps the server's own argon2id hashes and re-hashes when its parameters change", async () => {
    const own = await hasher.hash('x');
    assert.equal(needsRehash(own, hasher.settings), false);
    assert.equal(needsRehash(own, { ...hasher.settings, iterations: 2 }), true);
    assert.equal(needsRehash(NO_PASSWORD, hasher.settings), false);
  });

  it('names the formats it does not take', () => {
    const seen = (hash: string): string => {
      const format = hashFormat(hash);
      assert.equal(format.ok, false, hash);
      return format.ok ? '' : format.seen;
    };
    assert.equal(seen('$1$saltsalt$2vnaRpHa6Jxjz5n83ok8Z0'), 'MD5-crypt ($1$)');
    assert.equal(seen('$6$rounds=5000$salt$abc'), 'SHA-512-crypt ($6$)');
    assert.equal(seen('$P$BtbE5LSOzWUqRVH0aNLpvk2OFEfCWU.'), 'phpass (WordPress/phpBB)');
    assert.equal(seen('5f4dcc3b5aa765d61d8327deb882cf99'), 'unsalted MD5 (32 hex characters)');
    assert.equal(seen('$argon2d$v=19$m=512,t=2,p=1$c2FsdHNhbHQ$YWJjZGVmZ2hpamtsbW5vcA'), 'argon2d');
    assert.equal(
      seen('$2y$03$abcdefghijklmnopqrstuu5kPs0zJ2RZ6Nsl0Wn6k6i9pAXDCzEC2'),
      'bcrypt with a cost outside 4-31 or a malformed salt',
    );
    assert.equal(seen('sha1$salt$abc'), 'a Django hasher other than pbkdf2_sha256');
    assert.equal(seen('$yescrypt$j9T$abc'), '"yescrypt" hashes');
    assert.equal(seen('plaintext password'), 'an unrecognized format (18 characters)');
  });
});

describe('legacy hashes at sign-in: any format signs in, and is argon2id afterwards', () => {
  let t: TestApp;
  const users: Array<{ email: string; password: string; hash: string }> = [];
  before(async () => {
    t = await createTestApp();
    for (const [index, testCase] of CASES.entries())
      users.push({ email: `legacy${index}@example.com`, password: testCase.password, hash: await testCase.hash() });
    const report = await importText(t, lines(...users.map(({ email, hash }) => ({ email, passwordHash: hash }))));
    assert.deepEqual([report.imported, report.failed], [CASES.length, []]);
  });
  after(async () => t.close());

  const login = (email: string, password: string) =>
    t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });

  for (const [index, testCase] of CASES.entries()) {
    it(`${testCase.name}: wrong password refused, right one accepted, stored hash argon2id after it`, async () => {
      const user = users[index];
      assert.ok(user);
      assert.equal((await login(user.email, `${user.password}!`)).statusCode, 401);
      await t.app.core.signInPasswords.idle();
      const before = await t.app.core.users.byEmail(t.projectId, user.email);
      assert.equal(before?.password_hash, user.hash, 'a wrong password changes nothing');

      const ok = await login(user.email, user.password);
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal(typeof json(ok).access_token, 'string');
      await t.app.core.signInPasswords.idle();
      const stored = (await t.app.core.users.byEmail(t.projectId, user.email))?.password_hash ?? '';
      assert.match(stored, /^\$argon2id\$v=19\$m=256,t=1,p=1\$/);
      assert.equal(await t.app.core.hasher.verify(stored, user.password), true);
      assert.equal((await login(user.email, user.password)).statusCode, 200);
    });
  }

  it('counts down the imported hash classes as users are re-hashed', async () => {
    const rows = await t.app.core.database.db
      .selectFrom('password_hash_classes')
      .select(['cost', 'remaining'])
      .where('project_id', '=', t.projectId)
      .execute();
    assert.ok(rows.length >= 5);
    assert.deepEqual(
      rows.filter((row) => row.remaining !== 0),
      [],
    );
  });

  it('a user imported without a password hash cannot sign in, whatever is tried', async () => {
    await importText(t, lines({ email: 'nopass@example.com' }));
    assert.equal((await t.app.core.users.byEmail(t.projectId, 'nopass@example.com'))?.password_hash, NO_PASSWORD);
    for (const password of ['!', 'anything', ' ']) assert.equal((await login('nopass@example.com', password)).statusCode, 401);
  });
});
