import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { bearer, signedIn } from './helpers.ts';

interface Case {
  method: 'GET' | 'POST';
  url: string;
  contentType: string | null;
  body: string;
  status: number;
  answer: unknown;
}

/** Answers recorded from a real FastAPI app (see fastapi-reference/README.md). */
const cases = JSON.parse(readFileSync(new URL('./fastapi-reference/answers.json', import.meta.url), 'utf8')) as Case[];

describe('JinuAI answers as recorded from FastAPI + pydantic', () => {
  let t: TestApp;
  let token: string;
  before(async () => {
    t = await createTestApp();
    token = (await signedIn(t.app)).tokens.access_token;
  });
  after(async () => t.close());

  it(`gives the same status and body for all ${cases.length} recorded requests`, async () => {
    for (const item of cases) {
      const headers = { ...bearer(token), ...(item.contentType !== null && { 'content-type': item.contentType }) };
      const response = await t.app.inject({ method: item.method, url: item.url, payload: item.body, headers });
      const label = `${item.method} ${item.url} ${item.contentType ?? '(no content type)'} ${item.body.slice(0, 60)}`;
      assert.equal(response.statusCode, item.status, label);
      assert.deepEqual(JSON.parse(response.body), item.answer, label);
    }
  });
});
