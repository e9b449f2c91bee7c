import assert from 'node:assert/strict';
import { createCipheriv, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { sql } from 'kysely';
import { generate } from 'otplib';
import { signingKeyContext } from '../../src/core/keys.ts';
import { UnreadableSecretsAtStartError } from '../../src/core/sealed-secrets.ts';
import { decodeKey, keyIdOf, STORED_KEY_NAME } from '../../src/core/secret-box.ts';
import type { Db } from '../../src/db/connection.ts';
import { ADMIN_TOKEN, createTestApp, freshPostgresDatabase, json, onPostgres, type TestApp } from '../helpers/app.ts';
import { ovokRegister } from '../helpers/ovok.ts';

const newKey = (): string => randomBytes(32).toString('hex');
const dirs: string[] = [];

/** One database reopened under different keys: a fresh PostgreSQL database, or an embedded one on disk. */
async function storage(): Promise<{
  open(env: Record<string, string>): Promise<TestApp>;
  dataDir: string | undefined;
  drop(): Promise<void>;
}> {
  if (onPostgres()) {
    const fresh = await freshPostgresDatabase();
    return { open: (env) => createTestApp(env, { databaseUrl: fresh.url }), dataDir: undefined, drop: fresh.drop };
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-secrets-'));
  dirs.push(dataDir);
  return { open: (env) => createTestApp({ DATABASE_URL: '', ...env }, { dataDir }), dataDir, drop: async () => undefined };
}

const code = (secret: string, steps = 0): Promise<string> => generate({ secret, epoch: Math.floor(Date.now() / 1000) + steps * 30 });
const call = (t: TestApp, method: 'GET' | 'POST', url: string, token?: string, payload?: object) =>
  t.app.inject({ method, url, ...(payload && { payload }), ...(token !== undefined && { headers: { authorization: `Bearer ${token}` } }) });

/** A user with TOTP enrolled (the enrollment spends the current time step's code). */
async function enrolledUser(t: TestApp): Promise<{ email: string; password: string; secret: string }> {
  const { email, password, tokens } = await ovokRegister(t.app, t.clientId);
  const status = json<{ enrollUri: string }>(await call(t, 'GET', '/auth/mfa/status', tokens.accessToken));
  const secret = new URL(status.enrollUri).searchParams.get('secret') ?? '';
  const enrolled = await call(t, 'POST', '/auth/mfa/enroll', tokens.accessToken, { token: await code(secret) });
  assert.equal(enrolled.statusCode, 200, enrolled.body);
  return { email, password, secret };
}

/** Password, then a TOTP code of a time step not used yet; the tokens must work. */
async function signInWithTotp(t: TestApp, user: { email: string; password: string; secret: string }, steps: number): Promise<void> {
  const first = await call(t, 'POST', '/v2/auth/login', undefined, { email: user.email, password: user.password, clientId: t.clientId });
  assert.equal(first.statusCode, 200, first.body);
  const { login } = json<{ login: string; mfaRequired: boolean }>(first);
  const verified = await call(t, 'POST', '/auth/mfa/verify', undefined, { login, token: await code(user.secret, steps) });
  assert.equal(verified.statusCode, 200, verified.body);
  const me = await call(t, 'GET', '/auth/me', json<{ accessToken: string }>(verified).accessToken);
  assert.equal(me.statusCode, 200, 'a token signed with the unsealed key verifies');
}

async function sealedValues(db: Db): Promise<string[]> {
  const keys = await db.selectFrom('signing_keys').select('private_sealed').execute();
  const factors = await db.selectFrom('mfa_factors').select('secret_encrypted').execute();
  return [...keys.map((row) => row.private_sealed ?? ''), ...factors.map((row) => row.secret_encrypted)];
}

async function rotate(
  t: TestApp,
): Promise<{ keyId: string; resealed: { signingKeys: number; mfaSecrets: number }; storedKeyDeleted: boolean }> {
  const response = await call(t, 'POST', '/admin/secrets/rotate', ADMIN_TOKEN);
  assert.equal(response.statusCode, 200, response.body);
  return json(response);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    const stat = statSync(path);
    return stat.isDirectory() ? filesUnder(path) : stat.isFile() ? [path] : [];
  });
}

describe('secrets at rest: sealed signing keys and GATEHOUSE_SECRET_KEY rotation', () => {
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('the database holds no plaintext private key, and a copy opened with a wrong key or none cannot start (so cannot sign)', async () => {
    const store = await storage();
    const key = newKey();
    try {
      const t = await store.open({ GATEHOUSE_SECRET_KEY: key });
      let d: string;
      try {
        await ovokRegister(t.app, t.clientId);
        const row = await t.app.core.database.db
          .selectFrom('signing_keys')
          .selectAll()
          .where('retired_at', 'is', null)
          .executeTakeFirstOrThrow();
        assert.equal(row.private_jwk, null);
        assert.ok(row.private_sealed?.startsWith(`v2.${keyIdOf(decodeKey(key))}.`));
        d = (JSON.parse(t.app.core.secrets.box.open(row.private_sealed ?? '', signingKeyContext(row.kid))) as { d: string }).d;
        assert.match(d, /^[A-Za-z0-9_-]{43}$/);
        // Every row of every table, as text.
        const { rows: tables } = await sql<{
          name: string;
        }>`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'`.execute(t.app.core.database.db);
        for (const { name } of tables) {
          const { rows } = await sql<{ row: string }>`SELECT t::text AS row FROM ${sql.table(name)} t`.execute(t.app.core.database.db);
          assert.ok(!rows.some((r) => r.row.includes(d)), `plaintext private key in ${name}`);
        }
      } finally {
        await t.close();
      }
      // The embedded database's files, write-ahead log included: the private key was never written in clear.
      if (store.dataDir !== undefined) {
        for (const file of filesUnder(store.dataDir)) assert.ok(!readFileSync(file).includes(d), `plaintext private key in ${file}`);
      }
      await assert.rejects(store.open({ GATEHOUSE_SECRET_KEY: newKey() }), UnreadableSecretsAtStartError);
      await assert.rejects(
        store.open({}),
        UnreadableSecretsAtStartError,
        'without a key, the one generated in the copy does not fit either',
      );
      const again = await store.open({ GATEHOUSE_SECRET_KEY: key });
      await again.close();
    } finally {
      await store.drop();
    }
  });

  it('rotation round trip: new key with the old one as previous, rotate, then the new key alone; TOTP still verifies', async () => {
    const store = await storage();
    const [oldKey, newer] = [newKey(), newKey()];
    try {
      const first = await store.open({ GATEHOUSE_SECRET_KEY: oldKey });
      const user = await enrolledUser(first);
      await first.close();

      const rotating = await store.open({ GATEHOUSE_SECRET_KEY: newer, GATEHOUSE_SECRET_KEY_PREVIOUS: oldKey });
      try {
        const result = await rotate(rotating);
        assert.equal(result.keyId, keyIdOf(decodeKey(newer)));
        assert.deepEqual(result.resealed, { signingKeys: 1, mfaSecrets: 1 });
        const values = await sealedValues(rotating.app.core.database.db);
        assert.ok(
          values.every((value) => value.startsWith(`v2.${result.keyId}.`)),
          values.join('\n'),
        );
        assert.deepEqual((await rotate(rotating)).resealed, { signingKeys: 0, mfaSecrets: 0 }, 'a second rotation has nothing left to do');
      } finally {
        await rotating.close();
      }

      const after = await store.open({ GATEHOUSE_SECRET_KEY: newer });
      try {
        await signInWithTotp(after, user, 1);
      } finally {
        await after.close();
      }
      await assert.rejects(
        store.open({ GATEHOUSE_SECRET_KEY: oldKey }),
        UnreadableSecretsAtStartError,
        'the old key alone reads nothing now',
      );
    } finally {
      await store.drop();
    }
  });

  it('without downtime: an instance still writing with the old key keeps signing and verifying TOTP while another rotates', {
    skip: onPostgres() ? false : 'two instances on one database need PostgreSQL',
  }, async () => {
    const store = await storage();
    const [oldKey, newer] = [newKey(), newKey()];
    try {
      // Step 1 of docs/operations-backup.md: every instance learns the new key for reading.
      const old = await store.open({ GATEHOUSE_SECRET_KEY: oldKey, GATEHOUSE_SECRET_KEY_PREVIOUS: newer });
      const user = await enrolledUser(old);
      const fresh = await store.open({ GATEHOUSE_SECRET_KEY: newer, GATEHOUSE_SECRET_KEY_PREVIOUS: oldKey });
      try {
        assert.deepEqual((await rotate(fresh)).resealed, { signingKeys: 1, mfaSecrets: 1 });
        await signInWithTotp(old, user, 1);
        await ovokRegister(old.app, old.clientId);
      } finally {
        await fresh.close();
        await old.close();
      }
    } finally {
      await store.drop();
    }
  });

  it('upgrade: a plaintext signing key and a TOTP secret sealed before key ids (v1, database-kept key) are sealed under GATEHOUSE_SECRET_KEY on start, and rotation drops the kept key', async () => {
    const store = await storage();
    const key = newKey();
    try {
      const legacy = await store.open({});
      const user = await enrolledUser(legacy);
      const db = legacy.app.core.database.db;
      // Make the rows look as an earlier version wrote them.
      const row = await db.selectFrom('signing_keys').selectAll().where('retired_at', 'is', null).executeTakeFirstOrThrow();
      const jwk = legacy.app.core.secrets.box.open(row.private_sealed ?? '', signingKeyContext(row.kid));
      await db.updateTable('signing_keys').set({ private_jwk: jwk, private_sealed: null }).where('kid', '=', row.kid).execute();
      const stored = await db.selectFrom('server_secrets').select('value').where('name', '=', STORED_KEY_NAME).executeTakeFirstOrThrow();
      const factor = await db.selectFrom('mfa_factors').selectAll().executeTakeFirstOrThrow();
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', Buffer.from(stored.value, 'base64'), iv);
      cipher.setAAD(Buffer.from(factor.user_id));
      const body = Buffer.concat([cipher.update(user.secret, 'utf8'), cipher.final()]);
      const v1 = ['v1', iv, body, cipher.getAuthTag()]
        .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
        .join('.');
      await db.updateTable('mfa_factors').set({ secret_encrypted: v1 }).where('user_id', '=', factor.user_id).execute();
      await legacy.close();

      const upgraded = await store.open({ GATEHOUSE_SECRET_KEY: key });
      try {
        const keyId = keyIdOf(decodeKey(key));
        const rows = await upgraded.app.core.database.db.selectFrom('signing_keys').select(['private_jwk', 'private_sealed']).execute();
        assert.ok(
          rows.every((r) => r.private_jwk === null && r.private_sealed?.startsWith(`v2.${keyId}.`)),
          'plaintext keys sealed on start',
        );
        assert.ok(
          (await sealedValues(upgraded.app.core.database.db)).every((value) => value.startsWith(`v2.${keyId}.`)),
          'v1 values resealed with a key id',
        );
        const result = await rotate(upgraded);
        assert.equal(result.storedKeyDeleted, true);
        await signInWithTotp(upgraded, user, 1);
      } finally {
        await upgraded.close();
      }
      await assert.rejects(store.open({}), UnreadableSecretsAtStartError, 'the copy no longer holds a key that opens its secrets');
    } finally {
      await store.drop();
    }
  });
});
