import fc from 'fast-check';
import { createTestApp } from '../helpers/app.ts';
import { FuzzCredentials, FuzzStats, type Style } from './credentials.ts';
import { endpointProperty, listOperations, styleOf } from './endpoint-fuzz.ts';

// npm run fuzz -- [--runs N] [--seed S] [--only ovok,jinuai]: the long fuzzing run, the same
// property as CI, N cases (default 10,000) for each contract, and a report of the answers.
const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const runs = Number(arg('runs') ?? 10_000);
const seed = arg('seed') === undefined ? Date.now() : Number(arg('seed'));
const STYLES: readonly Style[] = ['ovok', 'pixelmover', 'jinuai', 'admin', 'other'];
const only = arg('only')?.split(',') ?? STYLES;

const t = await createTestApp();
const stats = new FuzzStats();
const credentials = new FuzzCredentials(t.app, t.clientId);
const all = await listOperations(t.app);
const findings: string[] = [];
console.log(`fuzz: ${runs} cases per contract, seed ${seed}`);
try {
  for (const style of STYLES.filter((s) => only.includes(s))) {
    const ops = all.filter((op) => styleOf(op.path) === style);
    const started = Date.now();
    const details = await fc.check(endpointProperty(t.app, ops, { credentials, stats }), { numRuns: runs, seed, endOnFailure: true });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(
      `${style.padEnd(10)} ${String(ops.length).padStart(3)} operations ${String(stats.cases(style)).padStart(6)} cases ${seconds.padStart(6)} s  5xx: ${stats.serverErrors(style)}  ${stats.summary(style)}`,
    );
    if (details.failed) {
      findings.push(
        `${style}: finding after ${details.numRuns} cases (seed ${seed}, path ${details.counterexamplePath}): ${String(details.errorInstance).slice(0, 2000)}`,
      );
    }
  }
} finally {
  await t.close();
}
for (const finding of findings) console.error(finding);
if (findings.length > 0) process.exitCode = 1;
else console.log('fuzz: no finding');
