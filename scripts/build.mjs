#!/usr/bin/env node
// Builds the production server: src/ bundled by esbuild into dist/gatehouse.mjs (dependencies stay
// in node_modules), plus the files the code finds next to itself at run time (migrations, the
// hash worker, the embedded-database initializer, the page templates and assets). Running the bundle instead of src/ through
// tsx saves tsx's loader thread (~36 MB RSS) and its start-up; it takes well under a second, so
// `npm start` builds every time and can never run stale code.
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}dist/`;

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [`${root}src/cli/main.ts`],
  outfile: `${out}gatehouse.mjs`,
  bundle: true,
  packages: 'external',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
});
// Each is found with `new URL('./<name>', import.meta.url)`: in src/ next to its module, here next to the bundle.
cpSync(`${root}src/db/migrations`, `${out}migrations`, { recursive: true });
cpSync(`${root}src/core/hash-worker.mjs`, `${out}hash-worker.mjs`);
cpSync(`${root}src/core/legacy-verify.mjs`, `${out}legacy-verify.mjs`);
cpSync(`${root}src/db/pglite-init.mjs`, `${out}pglite-init.mjs`);
cpSync(`${root}src/http/pages/templates`, `${out}templates`, { recursive: true });
cpSync(`${root}src/http/pages/assets`, `${out}assets`, { recursive: true });
cpSync(`${root}src/http/console/console-templates`, `${out}console-templates`, { recursive: true });
