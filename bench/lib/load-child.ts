/**
 * A load generator in a process of its own, kept running for a whole bench: reads one JSON
 * request per line on stdin ({ id, spec: StaticLoadSpec }) and prints { id, result } per line.
 * Used for the sign-in concurrency levels (up to 500 connections, thousands of 503s a second at
 * the top one), which on the bench's own event loop would delay the probes it measures. autocannon
 * cannot run in a worker thread: it takes any worker for one of its own.
 */
import { createInterface } from 'node:readline';
import { runLoad, type StaticLoadSpec } from './load.ts';

function withBodies(spec: StaticLoadSpec): Parameters<typeof runLoad>[0] {
  const bodies = spec.bodies ?? [];
  if (bodies.length === 0) return spec;
  let turn = 0;
  return {
    ...spec,
    prepare: () => {
      turn = spec.pick === 'random' ? Math.floor(Math.random() * bodies.length) : (turn + 1) % bodies.length;
      return { body: bodies[turn] ?? '' };
    },
  };
}

// One load at a time, in the order asked.
let queue: Promise<void> = Promise.resolve();
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() === '') return;
  const { id, spec } = JSON.parse(line) as { id: number; spec: StaticLoadSpec };
  queue = queue.then(async () => {
    try {
      const result = await runLoad(withBodies(spec));
      process.stdout.write(`${JSON.stringify({ id, result })}\n`);
    } catch (error) {
      process.stdout.write(`${JSON.stringify({ id, error: error instanceof Error ? error.message : String(error) })}\n`);
    }
  });
});
