/**
 * `npx tsx bench/backup-pause.ts [USERS]`: how long an online backup of the embedded database
 * holds requests (the quiesced section: checkpoint, then reading the data directory into the
 * archive), for a database of USERS registrations (default 5000). Figures: docs/operations-backup.md.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backupEmbedded } from '../src/db/backup.ts';
import { createTestApp } from '../test/helpers/app.ts';

const users = Number(process.argv[2] ?? 5000);
const dir = mkdtempSync(join(tmpdir(), 'gatehouse-backup-bench-'));
const t = await createTestApp({ DATABASE_URL: '' }, { dataDir: join(dir, 'data') });
try {
  const password = 'bench-password-123';
  for (let i = 0; i < users; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, users - i) }, (_, j) =>
        t.app.inject({
          method: 'POST',
          url: '/v1/auth/register',
          payload: { name: 'B', email: `b${i + j}@example.com`, password, password_confirmation: password },
        }),
      ),
    );
  }
  const database = t.app.core.database;
  const quiesced = database.quiesced;
  if (quiesced === undefined) throw new Error('not an embedded database on disk');
  let held = 0;
  const timed = Object.assign(Object.create(database) as typeof database, {
    quiesced: <T>(fn: (dataDir: string) => Promise<T>) =>
      quiesced(async (dataDir) => {
        const start = performance.now();
        try {
          return await fn(dataDir);
        } finally {
          held = performance.now() - start;
        }
      }),
  });
  const size = execFileSync('du', ['-sm', join(dir, 'data')], { encoding: 'utf8' }).split('\t')[0];
  for (let run = 1; run <= 3; run += 1) {
    const start = performance.now();
    const { bytes } = await backupEmbedded(timed, join(dir, `backup-${run}.tar.gz`));
    const total = performance.now() - start;
    console.log(
      `run ${run}: ${users} users, data dir ${size} MB, archive ${(bytes / 1e6).toFixed(1)} MB, requests held ${held.toFixed(0)} ms, total ${total.toFixed(0)} ms`,
    );
  }
} finally {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
}
