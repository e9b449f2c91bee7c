import fc from 'fast-check';
import { createTestApp } from '../helpers/app.ts';
import { endpointProperty, listOperations } from './endpoint-fuzz.ts';

// npm run fuzz -- --runs N [--seed S]: the long fuzzing run (same property as CI, as many cases as asked).
const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const runs = Number(arg('runs') ?? 20_000);
const seed = arg('seed') === undefined ? Date.now() : Number(arg('seed'));
const t = await createTestApp();
const ops = await listOperations(t.app);
const started = Date.now();
try {
  const details = await fc.check(endpointProperty(t.app, ops), { numRuns: runs, seed });
  if (details.failed) {
    console.error(
      `fuzz: finding after ${details.numRuns} cases (seed ${seed}, path ${details.counterexamplePath}): ${String(details.errorInstance).slice(0, 2000)}`,
    );
    process.exitCode = 1;
  } else
    console.log(
      `fuzz: ${runs} cases over ${ops.length} operations, seed ${seed}, ${((Date.now() - started) / 1000).toFixed(1)} s, no finding`,
    );
} finally {
  await t.close();
}
