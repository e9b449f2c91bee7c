import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createTestApp, onPostgres, testEnv, type TestApp } from '../helpers/app.ts';
import { sample } from './helpers.ts';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

function cli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', MAIN, ...args],
      { env: { ...process.env, ...env }, timeout: 120_000 },
      (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
      },
    );
  });
}

describe('gatehouse import / export (CLI)', () => {
  let t: TestApp;
  let dataDir: string;
  let env: Record<string, string>;
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-import-'));
    t = await createTestApp({}, onPostgres() ? {} : { dataDir });
    env = testEnv(
      t.databaseUrl === undefined ? { GATEHOUSE_DATA_DIR: dataDir } : { DATABASE_URL: t.databaseUrl, GATEHOUSE_DATA_DIR: dataDir },
    );
  });
  after(async () => {
    await t.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses an embedded data directory a running server holds, and names the admin API', async () => {
    // Always on an embedded server (also in the PostgreSQL run): the lock is the embedded database's.
    const held = mkdtempSync(join(tmpdir(), 'gatehouse-cli-held-'));
    const server = await createTestApp({}, { dataDir: held });
    try {
      const result = await cli(
        ['import', '--project', server.projectId, sample('fastapi-users.jsonl')],
        testEnv({ GATEHOUSE_DATA_DIR: held, DATABASE_URL: '' }),
      );
      assert.equal(result.code, 1);
      assert.match(result.stderr, /already open in process/);
      assert.match(result.stderr, /admin API/);
      assert.match(result.stderr, new RegExp(`/admin/projects/${server.projectId}/import`));
    } finally {
      await server.close();
      rmSync(held, { recursive: true, force: true });
    }
  });

  it('imports a Laravel export with its keys, prints the report, and exports canonical lines', async () => {
    if (!onPostgres()) await t.close();
    const imported = await cli(
      [
        'import',
        '--project',
        t.projectId,
        '--format',
        'laravel',
        '--api-keys',
        sample('laravel-api-keys.csv'),
        '--json',
        sample('laravel-users.csv'),
      ],
      env,
    );
    assert.equal(imported.code, 0, imported.stderr);
    const report = JSON.parse(imported.stdout) as { imported: number; apiKeysImported: number; failed: unknown[] };
    assert.deepEqual([report.imported, report.apiKeysImported, report.failed], [3, 2, []]);

    const again = await cli(['import', '--project', t.projectId, '--format', 'laravel', sample('laravel-users.csv')], env);
    assert.equal(again.code, 0);
    assert.match(again.stdout, /Imported 0 users, skipped 3 already there, 0 failed lines/);

    const wrong = await cli(['import', '--project', t.projectId, '--format', 'fastapi', '--dry-run', sample('laravel-users.csv')], env);
    assert.equal(wrong.code, 1, 'failed lines exit 1');
    assert.match(wrong.stdout, /line 1 {2}line: line is not valid JSON/);

    const missing = await cli(['import', '--project', randomUUID(), sample('fastapi-users.jsonl')], env);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^gatehouse: Project not found/);

    const exported = await cli(['export', '--project', t.projectId], env);
    assert.equal(exported.code, 0, exported.stderr);
    const users = exported.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { email: string; ids: { number: number }; apiKeys?: Array<{ sha256: string }> });
    assert.deepEqual(
      users.map((user) => [user.email, user.ids.number]),
      [
        ['ada@example.com', 17],
        ['grace@example.com', 18],
        ['alan@example.com', 25],
      ],
    );
    assert.equal(users[0]?.apiKeys?.[0]?.sha256, 'e85fea8a27887e1f2f2cbf1c96b4fb5931313879ccc3ae2c3b5fbc24805d03bb');
  });
});
