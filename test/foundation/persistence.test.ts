import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createTestApp, freshPostgresDatabase, json, testEnv, type TestApp } from '../helpers/app.ts';
import { ovokLogin, ovokRegister } from '../helpers/ovok.ts';

const dirs: string[] = [];
// Creating an embedded database on disk is the slow part of this file: later tests reuse the
// directories earlier ones initialised (node:test runs them in order).
let persistedDir = '';
let staleDir = '';
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-foundation-'));
  dirs.push(dir);
  return dir;
}

/** Runs the CLI against the embedded database in `dir` (never the PostgreSQL server). */
function cli(args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    env: { ...process.env, DATABASE_URL: '', REDIS_URL: '', LOG_LEVEL: 'silent', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
}

async function survivesRestart(open: () => Promise<TestApp>): Promise<void> {
  const first = await open();
  const { email, password, tokens } = await ovokRegister(first.app, first.clientId);
  await first.close();

  const second = await open();
  try {
    const login = await ovokLogin(second.app, second.clientId, email, password);
    assert.equal(login.expiresIn, 3600);
    const me = await second.app.inject({ method: 'GET', url: '/auth/me', headers: { authorization: `Bearer ${tokens.accessToken}` } });
    assert.equal(me.statusCode, 200, 'the signing key survived the restart');
    const refreshed = await second.app.inject({
      method: 'POST',
      url: '/auth/refresh-token',
      payload: { refresh_token: tokens.refreshToken },
    });
    assert.equal(refreshed.statusCode, 200, refreshed.body);
    assert.notEqual(json<{ refresh_token: string }>(refreshed).refresh_token, tokens.refreshToken);
  } finally {
    await second.close();
  }
}

describe('persistence across restarts, the data-dir lock and the CLI', () => {
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps users, keys and sessions in a PGlite data directory across restarts', async () => {
    const dataDir = tempDir();
    persistedDir = dataDir;
    // The embedded database only, whatever DATABASE_URL the suite runs with.
    await survivesRestart(() => createTestApp({ DATABASE_URL: '' }, { dataDir }));
  });

  it('keeps them on PostgreSQL across restarts', {
    skip: (process.env.DATABASE_URL ?? '') === '' ? 'needs DATABASE_URL' : false,
  }, async () => {
    const fresh = await freshPostgresDatabase();
    try {
      await survivesRestart(() => createTestApp({}, { databaseUrl: fresh.url }));
    } finally {
      await fresh.drop();
    }
  });

  it('refuses a second process on a held data directory and takes over a stale lock', async () => {
    const dataDir = persistedDir || tempDir();
    const t = await createTestApp({ DATABASE_URL: '' }, { dataDir });
    try {
      const locked = cli(['migrate'], { GATEHOUSE_DATA_DIR: dataDir });
      assert.equal(locked.status, 1, locked.stderr);
      assert.match(locked.stderr, /already open in process/);
    } finally {
      await t.close();
    }

    const stale = tempDir();
    staleDir = stale;
    const exited = spawnSync(process.execPath, ['-e', '0']);
    assert.equal(exited.status, 0);
    writeFileSync(join(stale, 'gatehouse.pid'), String(exited.pid));
    const migrated = cli(['migrate'], { GATEHOUSE_DATA_DIR: stale });
    assert.equal(migrated.status, 0, migrated.stderr);
  });

  it('answers the CLI --json commands with parseable JSON', () => {
    cliRoundTrip({ GATEHOUSE_DATA_DIR: staleDir || tempDir() });
  });

  it('answers the CLI --json commands on PostgreSQL', {
    skip: (process.env.DATABASE_URL ?? '') === '' ? 'needs DATABASE_URL' : false,
  }, async () => {
    const db = await freshPostgresDatabase();
    try {
      const migrated = cli(['migrate', '--json'], { DATABASE_URL: db.url });
      assert.equal(migrated.status, 0, migrated.stderr);
      cliRoundTrip({ DATABASE_URL: db.url });
    } finally {
      await db.drop();
    }
  });

  function cliRoundTrip(env: Record<string, string>): void {
    const created = cli(['projects', 'create', 'Acme', '--json'], env);
    assert.equal(created.status, 0, created.stderr);
    const project = JSON.parse(created.stdout) as { id: string; name: string };
    assert.equal(project.name, 'Acme');
    assert.match(project.id, /^[0-9a-f-]{36}$/);

    const listed = cli(['projects', 'list', '--json'], env);
    assert.equal(listed.status, 0, listed.stderr);
    const projects = JSON.parse(listed.stdout) as Array<{ id: string; name: string }>;
    assert.ok(projects.some((p) => p.id === project.id && p.name === 'Acme'));
    assert.ok(
      projects.some((p) => p.name === 'Default Project'),
      listed.stdout,
    );

    const client = cli(['clients', 'create', project.id, 'Web', '--json'], env);
    assert.equal(client.status, 0, client.stderr);
    const app = JSON.parse(client.stdout) as { id: string; projectId: string; name: string };
    assert.equal(app.projectId, project.id);
    assert.equal(app.name, 'Web');
    assert.equal(typeof app.id, 'string');

    const clients = cli(['clients', 'list', project.id, '--json'], env);
    assert.equal(clients.status, 0, clients.stderr);
    assert.ok((JSON.parse(clients.stdout) as Array<{ id: string }>).some((c) => c.id === app.id));

    const rotated = cli(['keys', 'rotate', '--json'], env);
    assert.equal(rotated.status, 0, rotated.stderr);
    const keys = JSON.parse(rotated.stdout) as { kid: string; retired: string[] };
    assert.equal(typeof keys.kid, 'string');
    assert.ok(Array.isArray(keys.retired));

    const operator = cli(['operators', 'create', 'ops@example.com', '--role', 'support', '--json'], env);
    assert.equal(operator.status, 0, operator.stderr);
    const made = JSON.parse(operator.stdout) as { operator: { id: string; role: string }; password: string };
    assert.equal(made.operator.role, 'support');
    assert.ok(made.password.length >= 20);
    // Operators are users of the system project: a search over every project finds them, and acts on them.
    const found = cli(['users', 'find', 'ops@', '--json'], env);
    assert.equal(found.status, 0, found.stderr);
    assert.deepEqual(
      (JSON.parse(found.stdout) as { items: Array<{ id: string }> }).items.map((user) => user.id),
      [made.operator.id],
    );
    const disabled = cli(['users', 'disable', made.operator.id, '--json'], env);
    assert.equal(disabled.status, 0, disabled.stderr);
    const shown = cli(['users', 'show', made.operator.id, '--json'], env);
    assert.equal((JSON.parse(shown.stdout) as { user: { active: boolean } }).user.active, false);
  }

  it('reports a bad PORT in one line naming the variable, without a stack trace', () => {
    const result = cli(['start'], { ...testEnv(), DATABASE_URL: '', REDIS_URL: '', GATEHOUSE_DATA_DIR: 'memory://', PORT: 'abc' });
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, /PORT/);
    assert.doesNotMatch(result.stderr, /^\s+at /m);
  });
});
