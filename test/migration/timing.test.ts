import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import bcrypt from 'bcryptjs';
import { currentCost } from '../../src/core/password-formats.ts';
import { PasswordTiming } from '../../src/core/password-timing.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { importText, lines } from './helpers.ts';

describe('sign-in timing with imported hashes (padding to the slowest class still in use)', () => {
  let t: TestApp;
  let own: string;
  before(async () => {
    t = await createTestApp();
    own = currentCost(t.app.core.hasher.settings);
  });
  after(async () => t.close());

  it('pads nothing in a project without imported legacy hashes', async () => {
    const timing = new PasswordTiming(t.app.core.database.db, t.app.core.hasher);
    timing.observe(own, 40);
    assert.equal(await timing.floorMs(t.projectId, own), 0);
  });

  it('pads every check to the slowest imported class, measured on its sample before first use', async () => {
    const report = await importText(
      t,
      lines(
        { email: 'slow@example.com', passwordHash: bcrypt.hashSync('slow-password', 6) },
        { email: 'own@example.com', passwordHash: await t.app.core.hasher.hash('x') },
      ),
    );
    assert.equal(report.imported, 2);
    const classes = await t.app.core.database.db
      .selectFrom('password_hash_classes')
      .select(['cost', 'remaining'])
      .where('project_id', '=', t.projectId)
      .execute();
    assert.deepEqual(classes, [{ cost: 'bcrypt$6', remaining: 1 }], "the server's own argon2id hashes are no class to pad to");

    const timing = new PasswordTiming(t.app.core.database.db, t.app.core.hasher);
    const calibrated = await timing.floorMs(t.projectId, own);
    assert.ok(calibrated > 2, 'the bcrypt class was measured on its sample hash');
    timing.observe(own, 1);
    timing.observe('bcrypt$6', 100);
    // The running average moves a tenth of the way: still dominated by the calibration, then by 100 ms.
    for (let index = 0; index < 200; index += 1) timing.observe('bcrypt$6', 100);
    assert.ok(Math.abs((await timing.floorMs(t.projectId, own)) - (100 * 1.15 + 2)) < 0.5);
    for (let index = 0; index < 200; index += 1) timing.observe(own, 1000);
    assert.ok((await timing.floorMs(t.projectId, own)) > 1000, 'the own class counts when it is the slowest');
  });

  it('stops padding once every imported user has been re-hashed', async () => {
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'slow@example.com', password: 'slow-password' },
    });
    assert.equal(login.statusCode, 200);
    await t.app.core.signInPasswords.idle();
    const timing = new PasswordTiming(t.app.core.database.db, t.app.core.hasher);
    assert.equal(await timing.floorMs(t.projectId, own), 0);
  });
});
