import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestApp, type TestApp } from '../helpers/app.ts';

// Same status and body for an existing and an unknown email (the timing side is for the long run only).
let t: TestApp;
before(async () => {
  t = await createTestApp();
  const res = await t.app.inject({ method: 'POST', url: '/v1/auth/register', payload: { name: 'Known User', email: 'known@example.com', password: 'correct horse battery', password_confirmation: 'correct horse battery' } });
  assert.ok(res.statusCode < 300, res.body);
});
after(async () => t.close());

function shape(body: string): string {
  return body.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>');
}

for (const [url, field] of [['/v1/auth/login', 'email'], ['/api/v1/auth/login', 'email'], ['/auth/reset-password', 'email']] as const) {
  test(`${url}: an existing and an unknown email get the same answer`, async () => {
    const ask = (email: string) => t.app.inject({ method: 'POST', url, payload: { [field]: email, password: 'wrong password 123', ...(url.startsWith('/auth/') && { clientId: t.clientId }) } });
    const known = await ask('known@example.com');
    const unknown = await ask('nobody@example.com');
    assert.ok(known.statusCode < 500, known.body);
    if (url === '/auth/reset-password') assert.ok(known.statusCode < 300, known.body);
    assert.equal(known.statusCode, unknown.statusCode);
    assert.equal(shape(known.body), shape(unknown.body));
  });
}
