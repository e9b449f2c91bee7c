import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { ADMIN_TOKEN, createTestApp, type TestApp } from '../helpers/app.ts';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => t.close());

const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

function setBranding(branding: unknown) {
  return t.app.inject({ method: 'PATCH', url: `/admin/projects/${t.projectId}`, headers: admin, payload: { settings: { branding } } });
}

describe('project branding on the hosted pages', () => {
  it('the admin API refuses colours, logo URLs and names that are not safe to render', async () => {
    const cases: Array<[unknown, string]> = [
      [{ primaryColor: 'red' }, 'settings.branding.primaryColor'],
      [{ primaryColor: '#12345g' }, 'settings.branding.primaryColor'],
      [{ primaryColor: '#1a73e8; background: url(x)' }, 'settings.branding.primaryColor'],
      [{ logoUrl: 'javascript:alert(1)' }, 'settings.branding.logoUrl'],
      [{ logoUrl: 'http://cdn.example.com/logo.png' }, 'settings.branding.logoUrl'],
      [{ logoUrl: 'https://user:secret@cdn.example.com/logo.png' }, 'settings.branding.logoUrl'],
      [{ displayName: '   ' }, 'settings.branding.displayName'],
      [{ displayName: 'x'.repeat(81) }, 'settings.branding.displayName'],
      [{ colour: '#fff' }, 'settings.branding.colour'],
      ['blue', 'settings.branding'],
    ];
    for (const [branding, field] of cases) {
      const r = await setBranding(branding);
      assert.equal(r.statusCode, 422, JSON.stringify(branding));
      const body = r.json() as { error: string; fields: Array<{ field: string }> };
      assert.equal(body.error, 'validation_failed');
      assert.ok(
        body.fields.some((problem) => problem.field === field),
        `${JSON.stringify(branding)}: ${r.body}`,
      );
    }
    const stored = await t.app.inject({ method: 'GET', url: `/admin/projects/${t.projectId}`, headers: admin });
    assert.equal((stored.json() as { settings: Record<string, unknown> }).settings.branding, undefined, 'nothing refused was stored');
  });

  it('valid branding dresses the pages: name (escaped), logo, theme stylesheet of the normalized colour', async () => {
    const r = await setBranding({ displayName: 'Acme <Care>', logoUrl: 'https://cdn.example.com/acme.svg', primaryColor: '#0A7' });
    assert.equal(r.statusCode, 200, r.body);
    const page = (await t.app.inject({ method: 'GET', url: '/' })).body;
    assert.match(page, /<title>Sign-in service – Acme &lt;Care&gt;<\/title>/);
    assert.match(page, /<span class="brand-name">Acme &lt;Care&gt;<\/span>/);
    assert.match(page, /<img class="logo" src="https:\/\/cdn\.example\.com\/acme\.svg" alt=""/);
    assert.match(page, /<link rel="stylesheet" href="\/assets\/theme\/00aa77\.css">/);
    assert.match(page, /the apps of Acme &lt;Care&gt;/);
    assert.doesNotMatch(page, /<Care>/);
  });

  it('branding stored before validation existed is used field by field: bad values fall back to the defaults', async () => {
    const branding = { displayName: 'Legacy Co', logoUrl: 'javascript:alert(1)', primaryColor: 'url(x)' };
    await sql`UPDATE projects SET settings = ${JSON.stringify({ branding })}::jsonb WHERE id = ${t.projectId}`.execute(
      t.app.core.database.db,
    );
    // Project rows are cached for a few seconds; an update through the service drops the cached row.
    const fresh = await t.app.inject({
      method: 'PATCH',
      url: `/admin/projects/${t.projectId}`,
      headers: admin,
      payload: { name: 'Default Project' },
    });
    assert.equal(fresh.statusCode, 200, fresh.body);
    const page = (await t.app.inject({ method: 'GET', url: '/' })).body;
    assert.match(page, /<span class="brand-name">Legacy Co<\/span>/);
    assert.match(page, /<img class="logo" src="\/assets\/logo\.svg\?v=[0-9a-f]{12}"/);
    assert.doesNotMatch(page, /javascript:|url\(x\)|\/assets\/theme\//);
  });
});
