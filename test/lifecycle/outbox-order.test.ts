import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { listOutbox } from '../../src/core/mail/outbox.ts';
import { createTestApp, json, type TestApp } from '../helpers/app.ts';
import { admin } from './helpers.ts';

// Regression: "newest first" broke ties between emails of one instant by their random uuid, so
// the test "development outbox (no SMTP) and the mail queue" failed at random.
describe('"newest first" has a tie-breaker', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(async () => t.close());

  it('emails written in the same instant come back in reverse order of writing, whatever their ids', async () => {
    const db = t.app.core.database.db;
    const instant = new Date('2030-01-01T00:00:00.000Z');
    const to = 'same-instant@example.com';
    // Ids fall as the rows are written: ordering by id would give the oldest first, every time.
    const written = Array.from({ length: 8 }, (_, i) => `00000000-0000-4000-8000-${String(99 - i).padStart(12, '0')}`);
    for (const [i, id] of written.entries()) {
      await db
        .insertInto('mail_outbox')
        .values({
          id,
          project_id: null,
          kind: `k${i}`,
          to_address: to,
          to_normalized: to,
          subject: `#${i}`,
          text_body: 'x',
          status: 'outbox',
          created_at: instant,
        })
        .execute();
    }
    const expected = [...written].reverse();
    assert.deepEqual(
      (await listOutbox(db, { to, limit: 50 })).map((row) => row.id),
      expected,
    );
    assert.deepEqual(
      (await listOutbox(db, { limit: 8 })).map((row) => row.id),
      expected,
      'without a recipient filter too',
    );
    const listed = json<{ items: Array<{ id: string }> }>(await admin(t.app, 'GET', `/admin/outbox?to=${to}`));
    assert.deepEqual(
      listed.items.map((item) => item.id),
      expected,
    );
  });
});
