import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import bcrypt from 'bcryptjs';
import { generate } from 'otplib';
import { exportUsers } from '../../src/core/import/export.ts';
import { ADMIN_TOKEN, createTestApp, json, type TestApp } from '../helpers/app.ts';
import { urlencoded } from '../jinuai/helpers.ts';
import { outboxFor } from '../lifecycle/helpers.ts';
import { importText, lines } from './helpers.ts';

const sha = (key: string): string => createHash('sha256').update(key).digest('hex');
const hashOf = (password: string): string => bcrypt.hashSync(password, 4).replace(/^\$2b\$/, '$2y$');

async function userCount(t: TestApp): Promise<number> {
  const row = await t.app.core.database.db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('project_id', '=', t.projectId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

const pmLogin = (t: TestApp, email: string, password: string) =>
  t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email, password } });

describe('import: bad input, dry run, atomic, re-run', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(async () => t.close());

  it('reports every bad line with its line and field and imports all the others', async () => {
    const registered = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      ...urlencoded({
        name: 'Existing Person',
        account: 'existing',
        email: 'existing@example.com',
        password: 'yourpassword',
        password_confirm: 'yourpassword',
      }),
    });
    assert.equal(registered.statusCode, 201, registered.body);
    const existing = await t.app.core.users.byEmail(t.projectId, 'existing@example.com');
    assert.ok(existing);
    const file = lines(
      { email: 'good1@example.com', passwordHash: hashOf('good-one-1'), ids: { number: 5001 } }, // 1
      '{"email": "broken@example.com", ', // 2 malformed
      { passwordHash: hashOf('x') }, // 3 missing email
      { email: 'not-an-email' }, // 4 invalid email
      { email: 'GOOD1@example.com' }, // 5 duplicate of line 1 (case-insensitive)
      { email: 'existing@example.com' }, // 6 already in the project
      { email: 'acct1@example.com', account: 'Taken' }, // 7
      { email: 'acct2@example.com', account: 'taken' }, // 8 duplicate account in the file
      { email: 'acct3@example.com', account: 'existing' }, // 9 account already in the project
      { email: 'idtaken@example.com', ids: { user: existing.id } }, // 10 id taken
      { email: 'zero@example.com', ids: { number: 0 } }, // 11
      { email: 'neg@example.com', ids: { number: -3 } }, // 12
      { email: 'frac@example.com', ids: { number: 1.5 } }, // 13
      { email: 'str@example.com', ids: { number: '12' } }, // 14
      { email: 'numtaken@example.com', ids: { number: existing.number } }, // 15 number taken
      { email: 'digest@example.com', apiKeys: [{ name: 'k', sha256: 'abc123' }] }, // 16
      { email: 'md5@example.com', passwordHash: '5f4dcc3b5aa765d61d8327deb882cf99' }, // 17
      { email: 'good2@example.com', passwordHash: hashOf('good-two-2'), apiKeys: [{ name: 'CI', sha256: sha('pm_live_good2') }] }, // 18
      { email: 'keydup@example.com', apiKeys: [{ name: 'again', sha256: sha('pm_live_good2') }] }, // 19 digest of line 18
      { email: 'typo@example.com', passwordhash: 'x' }, // 20 unknown field
      '', // 21 empty: ignored
      { email: 'good3@example.com', ids: { number: 9002, user: randomUUID(), profile: randomUUID(), profileType: 'Practitioner' } }, // 22
    );
    const report = await importText(t, file);
    assert.equal(report.imported, 4);
    assert.equal(report.skipped, 0);
    assert.deepEqual(
      report.failed.map((failed) => [failed.line, failed.field]),
      [
        [2, 'line'],
        [3, 'email'],
        [4, 'email'],
        [5, 'email'],
        [6, 'email'],
        [8, 'account'],
        [9, 'account'],
        [10, 'ids.user'],
        [11, 'ids.number'],
        [12, 'ids.number'],
        [13, 'ids.number'],
        [14, 'ids.number'],
        [15, 'ids.number'],
        [16, 'apiKeys[0].sha256'],
        [17, 'passwordHash'],
        [19, 'apiKeys[0].sha256'],
        [20, 'passwordhash'],
      ],
    );
    const byLine = new Map(report.failed.map((failed) => [failed.line, failed.error]));
    assert.equal(byLine.get(5), 'email is already used by line 1');
    assert.equal(byLine.get(6), 'email is already used by a user already in the project');
    assert.equal(byLine.get(8), 'account is already used by line 7');
    assert.equal(byLine.get(17), 'passwordHash has an unsupported format: unsalted MD5 (32 hex characters)');
    assert.equal(byLine.get(11), 'ids.number must be a positive integer');
    assert.equal(report.failedCount, 17);

    assert.equal((await pmLogin(t, 'good1@example.com', 'good-one-1')).statusCode, 200);
    const me = await t.app.inject({ method: 'GET', url: '/v1/auth/me', headers: { authorization: 'Bearer pm_live_good2' } });
    assert.equal(json<{ data: { user: { email: string } } }>(me).data.user.email, 'good2@example.com');
    const good3 = await t.app.core.users.byEmail(t.projectId, 'good3@example.com');
    assert.equal(good3?.number, 9002);
    assert.equal((await t.app.core.users.profileOf(good3?.id ?? '')).resource_type, 'Practitioner');
    // Nothing stored was lost: the existing user still signs in.
    assert.equal(
      (
        await t.app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: { email: 'existing@example.com', password: 'yourpassword' },
        })
      ).statusCode,
      200,
    );
  });

  it('a re-run imports nothing new: its own lines are skipped, bad lines fail again', async () => {
    const file = lines(
      { email: 'rerun1@example.com', passwordHash: hashOf('rerun-1') },
      { email: 'rerun2@example.com', ids: { number: 6000 } },
      { email: 'bad' },
      { email: 'rerun3@example.com' },
    );
    const first = await importText(t, file);
    assert.deepEqual([first.imported, first.skipped, first.failedCount], [3, 0, 1]);
    const second = await importText(t, file);
    assert.deepEqual([second.imported, second.skipped, second.failedCount], [0, 3, 1]);
    // An interrupted import is run again with the whole file: the rest comes in.
    const longer = file + lines({ email: 'rerun4@example.com' });
    const third = await importText(t, longer);
    assert.deepEqual([third.imported, third.skipped, third.failedCount], [1, 3, 1]);
    // Changed content for an address already imported is a conflict, not a silent skip.
    const changed = await importText(t, lines({ email: 'rerun1@example.com', name: 'Someone Else' }));
    assert.deepEqual(
      changed.failed.map((failed) => failed.field),
      ['email'],
    );
  });

  it('a line repeated in the file is reported as repeating the first', async () => {
    const line = { email: 'twice@example.com', passwordHash: hashOf('twice') };
    const report = await importText(t, lines(line, { email: 'between@example.com' }, line));
    assert.equal(report.imported, 2);
    assert.deepEqual(report.failed, [{ line: 3, field: 'line', error: 'line repeats line 1' }]);
  });

  it('--dry-run checks the whole file like a real run and writes nothing', async () => {
    const before = await userCount(t);
    const file = lines(
      { email: 'dry1@example.com', ids: { number: 90_000 } },
      { email: 'dry1@example.com' },
      { email: 'dry2@example.com' },
      { email: 'x' },
    );
    const report = await importText(t, file, { dryRun: true });
    assert.deepEqual(
      [report.imported, report.failed.map((failed) => failed.line), report.dryRun, report.rolledBack],
      [2, [2, 4], true, true],
    );
    assert.equal(await userCount(t), before);
    // The number sequence did not move either.
    const registered = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/register',
      payload: { name: 'After Dry', email: 'after.dry@example.com', password: 'after-dry-run-1', password_confirmation: 'after-dry-run-1' },
    });
    assert.ok(json<{ data: { user: { id: number } } }>(registered).data.user.id < 90_000);
  });

  it('--atomic imports all or nothing', async () => {
    const before = await userCount(t);
    const bad = await importText(t, lines({ email: 'atom1@example.com' }, { email: 'atom2@example.com', ids: { number: -1 } }), {
      atomic: true,
    });
    assert.deepEqual([bad.imported, bad.rolledBack, bad.failed.map((failed) => failed.line)], [0, true, [2]]);
    assert.equal(await userCount(t), before);
    const good = await importText(t, lines({ email: 'atom1@example.com' }, { email: 'atom2@example.com' }), { atomic: true });
    assert.deepEqual([good.imported, good.rolledBack], [2, false]);
    assert.equal(await userCount(t), before + 2);
  });

  it('reads CRLF line ends and a BOM; batches beyond one statement keep their line numbers', async () => {
    const many = Array.from({ length: 2500 }, (_, index) => JSON.stringify({ email: `bulk${index}@example.com` }));
    many[1800] = '{"email": 42}';
    const report = await importText(t, `\ufeff${many.join('\r\n')}\r\n`);
    assert.equal(report.imported, 2499);
    assert.deepEqual(report.failed, [{ line: 1801, field: 'email', error: 'email must be a string' }]);
    assert.ok(await t.app.core.users.byEmail(t.projectId, 'bulk2499@example.com'));
  });

  it('Medplum resources in any order, and a user without a membership', async () => {
    const patient = randomUUID();
    const user = randomUUID();
    const file = lines(
      {
        resourceType: 'ProjectMembership',
        id: randomUUID(),
        user: { reference: `User/${user}` },
        profile: { reference: `Practitioner/${patient}` },
      },
      { resourceType: 'Practitioner', id: patient, name: [{ given: ['Mary', 'Ann'], family: 'Smith' }] },
      { resourceType: 'Organization', id: randomUUID() },
      { resourceType: 'User', id: user, email: 'mary@example.com', passwordHash: hashOf('mary-pass') },
      { resourceType: 'User', id: randomUUID(), email: 'lonely@example.com', firstName: 'Lone', lastName: 'Ly' },
      { resourceType: 'User', email: 'noid@example.com' },
    );
    const report = await importText(t, file, { format: 'medplum' });
    assert.equal(report.imported, 2);
    assert.deepEqual(
      report.failed.map((failed) => [failed.line, failed.field]),
      [[6, 'id']],
    );
    const mary = await t.app.core.users.byEmail(t.projectId, 'mary@example.com');
    const profile = await t.app.core.users.profileOf(mary?.id ?? '');
    assert.deepEqual(
      [mary?.id, profile.id, profile.resource_type, profile.given_name, profile.family_name],
      [user, patient, 'Practitioner', 'Mary Ann', 'Smith'],
    );
    assert.equal((await t.app.core.users.byEmail(t.projectId, 'lonely@example.com'))?.first_name, 'Lone');
  });

  it('an imported TOTP secret is stored encrypted and asked for at sign-in', async () => {
    const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    const report = await importText(t, lines({ email: 'totp@example.com', passwordHash: hashOf('totp-pass-1'), totpSecret: secret }));
    assert.equal(report.imported, 1);
    const user = await t.app.core.users.byEmail(t.projectId, 'totp@example.com');
    const factor = await t.app.core.database.db
      .selectFrom('mfa_factors')
      .selectAll()
      .where('user_id', '=', user?.id ?? '')
      .executeTakeFirstOrThrow();
    assert.ok(factor.confirmed_at !== null);
    assert.ok(!factor.secret_encrypted.includes(secret));
    const first = await pmLogin(t, 'totp@example.com', 'totp-pass-1');
    const step = json<{ data: { two_factor: boolean; challenge: string } }>(first).data;
    assert.equal(step.two_factor, true);
    const done = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/two-factor-challenge',
      payload: { challenge: step.challenge, code: await generate({ secret }) },
    });
    assert.equal(done.statusCode, 200, done.body);
  });

  it('--send-reset mails users imported without a password', async () => {
    const report = await importText(
      t,
      lines({ email: 'reset.me@example.com' }, { email: 'has.hash@example.com', passwordHash: hashOf('p') }),
      { sendReset: true },
    );
    assert.equal(report.imported, 2);
    const mail = await outboxFor(t.app, 'reset.me@example.com');
    assert.equal(mail.kind, 'password-reset');
  });
});

describe('import: admin API and export round trip', () => {
  let source: TestApp;
  let target: TestApp | undefined;
  const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
  before(async () => {
    source = await createTestApp();
  });
  after(async () => {
    await source.close();
    await target?.close();
  });

  it('POST /admin/projects/{id}/import streams NDJSON and answers the report', async () => {
    const body = lines(
      {
        email: 'api1@example.com',
        passwordHash: hashOf('api-pass-1'),
        ids: { number: 700 },
        apiKeys: [{ name: 'Default', sha256: sha('pm_live_api1'), prefix: 'pm_live_api1' }],
      },
      { email: 'nope' },
    );
    const url = `/admin/projects/${source.projectId}/import`;
    assert.equal(
      (await source.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/x-ndjson' }, payload: body })).statusCode,
      401,
    );
    const missing = await source.app.inject({
      method: 'POST',
      url: `/admin/projects/${randomUUID()}/import`,
      headers: { ...admin, 'content-type': 'application/x-ndjson' },
      payload: body,
    });
    assert.equal(missing.statusCode, 404);
    const dry = await source.app.inject({
      method: 'POST',
      url: `${url}?dryRun=true`,
      headers: { ...admin, 'content-type': 'application/x-ndjson' },
      payload: body,
    });
    assert.deepEqual([dry.statusCode, json(dry).imported, json(dry).rolledBack], [200, 1, true]);
    const response = await source.app.inject({
      method: 'POST',
      url,
      headers: { ...admin, 'content-type': 'application/x-ndjson' },
      payload: body,
    });
    assert.equal(response.statusCode, 200);
    const report = json<{ imported: number; skipped: number; failed: unknown[]; durationMs: number }>(response);
    assert.deepEqual(
      [report.imported, report.skipped, report.failed],
      [1, 0, [{ line: 2, field: 'email', error: 'email must be a valid email address' }]],
    );
    assert.equal(typeof report.durationMs, 'number');
    const bad = await source.app.inject({
      method: 'POST',
      url: `${url}?format=excel`,
      headers: { ...admin, 'content-type': 'application/x-ndjson' },
      payload: body,
    });
    assert.equal(bad.statusCode, 422);
    const csv = await source.app.inject({
      method: 'POST',
      url: `${url}?format=laravel`,
      headers: { ...admin, 'content-type': 'text/csv' },
      payload: 'name,mail\nx,y\n',
    });
    assert.equal(csv.statusCode, 422);
    assert.match(json<{ message: string }>(csv).message, /no column id, email/);
  });

  it('export -> import into a fresh data directory: same passwords, ids, numbers and keys', async () => {
    const secret = 'KRUGS4ZANFZSAYJAONSWG4TFOQ======';
    await importText(
      source,
      lines({
        email: 'round@example.com',
        passwordHash: hashOf('round-trip-1'),
        account: 'roundtrip',
        totpSecret: secret,
        ids: { number: 701 },
      }),
    );
    const registered = await source.app.inject({
      method: 'POST',
      url: '/v1/auth/register',
      payload: {
        name: 'Native User',
        email: 'native@example.com',
        password: 'native-password-1',
        password_confirmation: 'native-password-1',
      },
    });
    const nativeKey = json<{ data: { api_key: { key: string } } }>(registered).data.api_key.key;
    let text = '';
    for await (const page of exportUsers(source.app.core, { projectId: source.projectId, includeTotp: true })) text += page;
    const exported = text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.equal(exported.length, await userCount(source));
    assert.ok(text.includes(secret.replace(/=+$/, '')));
    let withoutTotp = '';
    for await (const page of exportUsers(source.app.core, { projectId: source.projectId })) withoutTotp += page;
    assert.ok(!withoutTotp.includes('totpSecret'));

    const copy = await createTestApp(
      {},
      process.env.DATABASE_URL ? {} : { dataDir: join(tmpdir(), `gatehouse-roundtrip-${randomUUID()}`) },
    );
    target = copy;
    const report = await importText(copy, text);
    assert.deepEqual([report.imported, report.failed], [exported.length, []]);
    for (const [email, password] of [
      ['api1@example.com', 'api-pass-1'],
      ['native@example.com', 'native-password-1'],
    ] as const) {
      const before = (await source.app.core.users.byEmail(source.projectId, email)) ?? assert.fail(email);
      const login = await pmLogin(copy, email, password);
      assert.equal(login.statusCode, 200, login.body);
      assert.equal(json<{ data: { user: { id: number } } }>(login).data.user.id, before.number);
      const after = await copy.app.core.users.byEmail(copy.projectId, email);
      assert.equal(after?.id, before.id);
      assert.equal((await copy.app.core.users.profileOf(after?.id ?? '')).id, (await source.app.core.users.profileOf(before.id)).id);
    }
    for (const key of [nativeKey, 'pm_live_api1']) {
      const answer = await copy.app.inject({ method: 'GET', url: '/v1/auth/me', headers: { 'x-api-key': key } });
      assert.equal(answer.statusCode, 200, key);
    }
    const keys = await copy.app.inject({ method: 'GET', url: '/v1/api-keys', headers: { 'x-api-key': nativeKey } });
    assert.equal(json<{ data: Array<{ masked_key: string }> }>(keys).data[0]?.masked_key.slice(-4), nativeKey.slice(-4));
    const totp = await pmLogin(copy, 'round@example.com', 'round-trip-1');
    assert.equal(json<{ data: { two_factor: boolean } }>(totp).data.two_factor, true);
    // Exporting the copy gives the same lines.
    let again = '';
    for await (const page of exportUsers(copy.app.core, { projectId: copy.projectId, includeTotp: true })) again += page;
    const strip = (line: Record<string, unknown>) => ({ ...line, lastLoginAt: undefined, passwordHash: undefined });
    assert.deepEqual(
      again
        .trim()
        .split('\n')
        .map((line) => strip(JSON.parse(line) as Record<string, unknown>)),
      exported.map(strip),
    );
  });
});
