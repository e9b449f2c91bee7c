import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { loadConfig } from '../../src/config.ts';
import { showOutbox } from '../../src/cli/outbox.ts';
import { Mailer } from '../../src/core/mail/outbox.ts';
import { render, templateFor } from '../../src/core/mail/templates.ts';
import type { MailTransport, OutgoingMessage } from '../../src/core/mail/transport.ts';
import { createTestApp, freshPostgresDatabase, json, onPostgres, testEnv, type TestApp } from '../helpers/app.ts';
import { ovokLogin, ovokRegister, uniqueEmail } from '../helpers/ovok.ts';
import { admin, linkIn, newProject, outboxFor, startMailSink, type MailSink } from './helpers.ts';

const ALL_OK = {
  resourceType: 'OperationOutcome',
  id: 'allok',
  issue: [{ severity: 'information', code: 'informational', details: { text: 'All OK' } }],
};

describe('email verification and password reset over real SMTP (Ovok)', () => {
  let sink: MailSink;
  let t: TestApp;
  before(async () => {
    sink = await startMailSink();
    t = await createTestApp({
      SMTP_URL: sink.url,
      MAIL_POLL_MS: '50',
      MAIL_RETRY_BASE_MS: '20',
      LINK_BASE_URL: 'https://app.example.test',
    });
  });
  after(async () => {
    await t.close();
    await sink.close();
  });

  const post = (url: string, payload: object, token?: string) =>
    t.app.inject({ method: 'POST', url, payload, ...(token !== undefined && { headers: { authorization: `Bearer ${token}` } }) });

  it('registration emails a verification link; it verifies once, and login waits for it when the project requires it', async () => {
    const { clientId, projectId } = await newProject(t.app);
    const { email, password } = await ovokRegister(t.app, clientId);
    const mail = await sink.waitFor(email);
    assert.match(mail.decoded, /Subject: Verify your email for Lifecycle/);
    const link = linkIn(mail, '/verify-email/');
    assert.equal(link.origin, 'https://app.example.test');
    const [, , id, secret] = link.pathname.split('/');

    await admin(t.app, 'PATCH', `/admin/projects/${projectId}`, { settings: { requireVerifiedEmail: true } });
    const refused = await post('/v2/auth/login', { email, password, clientId });
    assert.equal(refused.statusCode, 401);
    assert.equal(json<{ issue: Array<{ details: { text: string } }> }>(refused).issue[0]?.details.text, 'Email not verified');

    const wrong = await post('/auth/verify-email', { id, secret: `${secret}x` });
    assert.equal(wrong.statusCode, 400);
    const verified = await post('/auth/verify-email', { id, secret });
    assert.equal(verified.statusCode, 200);
    assert.deepEqual(json(verified), ALL_OK);
    assert.equal((await post('/auth/verify-email', { id, secret })).statusCode, 400, 'a verification link works once');
    assert.equal((await post('/v2/auth/login', { email, password, clientId })).statusCode, 200);
  });

  it('an expired verification link is refused', async () => {
    const { email } = await ovokRegister(t.app, t.clientId);
    const [, , id, secret] = linkIn(await sink.waitFor(email), '/verify-email/').pathname.split('/');
    await t.app.core.database.db
      .updateTable('email_tokens')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('id', '=', id!)
      .execute();
    const expired = await post('/auth/verify-email', { id, secret });
    assert.equal(expired.statusCode, 400);
    assert.equal(json<{ issue: Array<{ details: { text: string } }> }>(expired).issue[0]?.details.text, 'Invalid or expired token');
  });

  it('resending a verification email is limited to one a minute per account', async () => {
    const { email } = await ovokRegister(t.app, t.clientId);
    await sink.waitFor(email);
    for (let i = 0; i < 3; i += 1) assert.deepEqual(json(await post('/auth/resend-verification', { email, clientId: t.clientId })), ALL_OK);
    await t.app.core.lifecycle.background.idle();
    await t.app.core.lifecycle.mail.drain();
    await t.app.core.lifecycle.mail.idle();
    assert.equal(sink.received.filter((mail) => mail.to.includes(email.toLowerCase())).length, 1);
  });

  it('reset: the emailed /setpassword/{id}/{secret} link sets a new password once and signs out every session', async () => {
    const { email, password, tokens } = await ovokRegister(t.app, t.clientId);
    assert.deepEqual(json(await post('/auth/reset-password', { email, clientId: t.clientId })), ALL_OK);
    const mail = await sink.waitFor(email, (m) => m.decoded.includes('/setpassword/'));
    const [, , id, secret] = linkIn(mail, '/setpassword/').pathname.split('/');
    assert.ok(id !== undefined && secret !== undefined);

    assert.equal((await post('/auth/set-password', { id, secret: 'ghp_wrong', password: 'a-brand-new-pass' })).statusCode, 400);
    // A refused password does not spend the secret.
    const weak = await post('/auth/set-password', { id, secret, password: '12345678' });
    assert.equal(weak.statusCode, 422);
    assert.deepEqual(json<{ issue: Array<{ expression: string[] }> }>(weak).issue[0]?.expression, ['password']);

    const done = await post('/auth/set-password', { id, secret, password: 'a-brand-new-pass' });
    assert.equal(done.statusCode, 200);
    assert.deepEqual(json(done), ALL_OK);
    assert.equal((await post('/auth/set-password', { id, secret, password: 'another-new-pass' })).statusCode, 400, 'the secret works once');
    const me = await t.app.inject({ method: 'GET', url: '/auth/me', headers: { authorization: `Bearer ${tokens.accessToken}` } });
    assert.equal(me.statusCode, 401, 'sessions from before the reset are revoked');
    assert.equal((await post('/v2/auth/login', { email, password, clientId: t.clientId })).statusCode, 401);
    await ovokLogin(t.app, t.clientId, email, 'a-brand-new-pass');
  });

  it('an expired reset secret is refused', async () => {
    const { email } = await ovokRegister(t.app, t.clientId);
    await post('/auth/reset-password', { email, clientId: t.clientId });
    const [, , id, secret] = linkIn(await sink.waitFor(email, (m) => m.decoded.includes('/setpassword/')), '/setpassword/').pathname.split(
      '/',
    );
    await t.app.core.database.db
      .updateTable('email_tokens')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('id', '=', id!)
      .execute();
    assert.equal((await post('/auth/set-password', { id, secret, password: 'a-brand-new-pass' })).statusCode, 400);
  });

  it('concurrent set-password calls with one secret: exactly one succeeds', async () => {
    const { email } = await ovokRegister(t.app, t.clientId);
    await post('/auth/reset-password', { email, clientId: t.clientId });
    const [, , id, secret] = linkIn(await sink.waitFor(email, (m) => m.decoded.includes('/setpassword/')), '/setpassword/').pathname.split(
      '/',
    );
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => post('/auth/set-password', { id, secret, password: `concurrent-pass-${i}` })),
    );
    const winners = results.map((response, i) => ({ status: response.statusCode, i })).filter((r) => r.status === 200);
    assert.equal(winners.length, 1);
    assert.deepEqual(results.map((r) => r.statusCode).sort(), [200, 400, 400, 400, 400, 400, 400, 400]);
    await ovokLogin(t.app, t.clientId, email, `concurrent-pass-${winners[0]!.i}`);
  });

  it('no endpoint tells whether an email is registered', async () => {
    const { email } = await ovokRegister(t.app, t.clientId);
    const unknown = uniqueEmail('nobody');
    for (const url of ['/auth/reset-password', '/auth/resend-verification']) {
      const known = await post(url, { email, clientId: t.clientId });
      const other = await post(url, { email: unknown, clientId: t.clientId });
      assert.equal(known.statusCode, other.statusCode, url);
      assert.equal(known.body, other.body, url);
      assert.equal(known.headers['content-type'], other.headers['content-type'], url);
    }
    const wrongPassword = await post('/v2/auth/login', { email, password: 'not-the-password', clientId: t.clientId });
    const noUser = await post('/v2/auth/login', { email: unknown, password: 'not-the-password', clientId: t.clientId });
    assert.equal(wrongPassword.statusCode, noUser.statusCode);
    assert.deepEqual({ ...json<Record<string, unknown>>(wrongPassword), id: '' }, { ...json<Record<string, unknown>>(noUser), id: '' });
    await t.app.core.lifecycle.background.idle();
    await t.app.core.lifecycle.mail.drain();
    await t.app.core.lifecycle.mail.idle();
    assert.equal(
      sink.received.filter((mail) => mail.to.includes(unknown.toLowerCase())).length,
      0,
      'nothing is sent to an unknown address',
    );
  });

  it('a failed delivery is retried with backoff until the SMTP server takes it', async () => {
    sink.failNext = 2;
    const { email } = await ovokRegister(t.app, t.clientId);
    const mail = await sink.waitFor(email);
    assert.match(mail.decoded, /verify-email/);
    const row = await outboxFor(t.app, email, (item) => item.status === 'sent');
    assert.equal(row.attempts, 3);
    assert.equal(row.text, '', 'a delivered body (it holds a secret) is not kept');
  });
});

describe('mail queue survives a restart', () => {
  it('a message queued while SMTP is down is delivered by the next instance', async () => {
    const sink = await startMailSink();
    const dead = await startMailSink();
    const deadUrl = dead.url;
    await dead.close();
    const pg = onPostgres() ? await freshPostgresDatabase() : undefined;
    const dataDir = pg === undefined ? await mkdtemp(join(tmpdir(), 'gatehouse-mail-')) : undefined;
    const where = pg === undefined ? { dataDir: dataDir! } : { databaseUrl: pg.url };
    try {
      const first = await createTestApp({ SMTP_URL: deadUrl, MAIL_POLL_MS: '60000', MAIL_RETRY_BASE_MS: '60000' }, where);
      const { email } = await ovokRegister(first.app, first.clientId);
      await first.app.core.lifecycle.background.idle();
      await first.app.core.lifecycle.mail.idle();
      const [queued] = await first.app.core.lifecycle.mail.list({ to: email, limit: 1 });
      assert.equal(queued?.status, 'pending');
      assert.ok((queued?.attempts ?? 0) >= 1 && queued?.last_error !== null, 'the failed attempt is recorded');
      await first.close();

      // Due now: the next instance's worker picks it up at start.
      const second = await createTestApp({ SMTP_URL: sink.url, MAIL_POLL_MS: '50' }, where);
      try {
        await second.app.core.database.db.updateTable('mail_outbox').set({ next_attempt_at: new Date() }).execute();
        second.app.core.lifecycle.mail.kick();
        const mail = await sink.waitFor(email);
        assert.match(mail.decoded, /verify-email/);
      } finally {
        await second.close();
      }
      // `gatehouse outbox` reads the same table once the server is gone.
      const printed: unknown[] = [];
      const config = loadConfig(testEnv(pg === undefined ? { GATEHOUSE_DATA_DIR: dataDir! } : { DATABASE_URL: pg.url }));
      await showOutbox(config, { json: true, print: (value) => printed.push(value) }, { to: email.toUpperCase(), limit: 10 });
      const items = printed[0] as Array<{ to: string; status: string; attempts: number; text: string }>;
      assert.equal(items.length, 1);
      assert.equal(items[0]?.to, email);
      assert.equal(items[0]?.status, 'sent');
      assert.equal(items[0]?.text, '', 'the delivered body is erased');
      assert.ok((items[0]?.attempts ?? 0) >= 2);
    } finally {
      await sink.close();
      await pg?.drop();
      if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
    }
  });
});

const quiet = pino({ level: 'silent' });

function countingTransport(fail = false): MailTransport & { sent: OutgoingMessage[] } {
  const sent: OutgoingMessage[] = [];
  return {
    sent,
    async send(message) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (fail) throw new Error('550 mailbox unavailable');
      sent.push(message);
    },
    close() {},
  };
}

describe('development outbox (no SMTP) and the mail queue', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(async () => t.close());

  it('keeps emails in the database, readable through GET /admin/outbox, newest first', async () => {
    const { email } = await ovokRegister(t.app, t.clientId);
    // The verification email is written in the background: wait for it, so the reset email is the newer one.
    await outboxFor(t.app, email, (item) => item.kind === 'verify-email');
    await t.app.inject({ method: 'POST', url: '/auth/reset-password', payload: { email, clientId: t.clientId } });
    const reset = await outboxFor(t.app, email.toUpperCase(), (item) => item.kind === 'password-reset');
    assert.equal(reset.status, 'outbox');
    assert.match(reset.subject, /Reset your Default Project password/);
    assert.match(reset.text, /\/setpassword\/[0-9a-f-]{36}\/ghp_/);
    const list = json<{ mode: string; items: Array<{ kind: string }> }>(
      await admin(t.app, 'GET', `/admin/outbox?to=${encodeURIComponent(email)}`),
    );
    assert.equal(list.mode, 'outbox');
    assert.deepEqual(
      list.items.map((item) => item.kind),
      ['password-reset', 'verify-email'],
    );
  });

  it('two workers draining one table deliver each message exactly once', async () => {
    const db = t.app.core.database.db;
    const options = { from: 'test@example.com', pollMs: 60_000, retryBaseMs: 60_000, maxAttempts: 3 };
    const a = countingTransport();
    const b = countingTransport();
    const first = new Mailer(db, quiet, { ...options, transport: a });
    const second = new Mailer(db, quiet, { ...options, transport: b });
    for (let i = 0; i < 40; i += 1)
      await first.enqueue({ projectId: null, kind: 'test', to: `queue-${i}@example.com`, subject: `#${i}`, text: 'hello' });
    await Promise.all([first.drain(), second.drain(), first.idle()]);
    const delivered = [...a.sent, ...b.sent].map((message) => message.subject).sort();
    assert.equal(delivered.length, 40);
    assert.equal(new Set(delivered).size, 40);
    await first.stop();
    await second.stop();
  });

  it('a message that keeps failing is marked failed after the last attempt, with the error kept', async () => {
    const db = t.app.core.database.db;
    const mailer = new Mailer(db, quiet, {
      from: 'test@example.com',
      transport: countingTransport(true),
      pollMs: 60_000,
      retryBaseMs: 1,
      maxAttempts: 3,
    });
    const id = await mailer.enqueue({ projectId: null, kind: 'test', to: 'doomed@example.com', subject: 'doomed', text: 'x' });
    for (let i = 0; i < 20; i += 1) {
      await mailer.idle();
      await mailer.drain();
      const row = await db.selectFrom('mail_outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      if (row.status === 'failed') break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await mailer.stop();
    const row = await db.selectFrom('mail_outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    assert.equal(row.status, 'failed');
    assert.equal(row.attempts, 3);
    assert.match(row.last_error ?? '', /550 mailbox unavailable/);
  });

  it('templates: per-project overrides, values escaped in HTML and kept off the subject line', () => {
    const project = { settings: { mailTemplates: { 'password-reset': { subject: '{{projectName}}: new password' } } } };
    const template = templateFor(project, 'password-reset');
    const message = render(template, {
      projectName: 'Acme <b>\r\nBcc: x',
      email: 'a@example.com',
      name: 'Ann',
      link: 'https://x.test/r?a=1&b=2',
      expiresIn: '1 hour',
    });
    assert.equal(message.subject, 'Acme <b> Bcc: x: new password');
    assert.ok(message.html.includes('href="https://x.test/r?a=1&#38;b=2"'), message.html);
    assert.ok(message.html.includes('Acme &#60;b&#62;'), message.html);
    assert.ok(!message.html.includes('<b>'));
    assert.match(message.text, /https:\/\/x\.test\/r\?a=1&b=2/);
    assert.match(message.text, /expires in 1 hour/);
  });
});
