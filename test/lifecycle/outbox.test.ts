import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { Mailer } from '../../src/core/mail/outbox.ts';
import { render, templateFor } from '../../src/core/mail/templates.ts';
import type { MailTransport, OutgoingMessage } from '../../src/core/mail/transport.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';

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

describe('mail queue', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(async () => t.close());

  it('two workers draining one table deliver each message exactly once', async () => {
    const db = t.app.core.database.db;
    const options = { from: 'test@example.com', pollMs: 60_000, retryBaseMs: 60_000, maxAttempts: 3 };
    const a = countingTransport();
    const b = countingTransport();
    const first = new Mailer(db, quiet, { ...options, transport: a });
    const second = new Mailer(db, quiet, { ...options, transport: b });
    for (let i = 0; i < 40; i += 1) await first.enqueue({ projectId: null, kind: 'test', to: `queue-${i}@example.com`, subject: `#${i}`, text: 'hello' });
    await Promise.all([first.drain(), second.drain(), first.idle()]);
    const delivered = [...a.sent, ...b.sent].map((message) => message.subject).sort();
    assert.equal(delivered.length, 40);
    assert.equal(new Set(delivered).size, 40);
    await first.stop();
    await second.stop();
  });

  it('a message that keeps failing is marked failed after the last attempt, with the error kept', async () => {
    const db = t.app.core.database.db;
    const mailer = new Mailer(db, quiet, { from: 'test@example.com', transport: countingTransport(true), pollMs: 60_000, retryBaseMs: 1, maxAttempts: 3 });
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
    const message = render(template, { projectName: 'Acme <b>\r\nBcc: x', email: 'a@example.com', name: 'Ann', link: 'https://x.test/r?a=1&b=2', expiresIn: '1 hour' });
    assert.equal(message.subject, 'Acme <b> Bcc: x: new password');
    assert.ok(message.html.includes('href="https://x.test/r?a=1&#38;b=2"'), message.html);
    assert.ok(message.html.includes('Acme &#60;b&#62;'), message.html);
    assert.ok(!message.html.includes('<b>'));
    assert.match(message.text, /https:\/\/x\.test\/r\?a=1&b=2/);
    assert.match(message.text, /expires in 1 hour/);
  });
});
