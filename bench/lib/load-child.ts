/**
 * A load generator in a process of its own: reads a StaticLoadSpec from BENCH_LOAD_SPEC,
 * prints the LoadResult as its last line. (autocannon cannot run in a worker thread: it
 * takes any worker for one of its own and returns raw histograms.)
 */
import { runLoad, type StaticLoadSpec } from './load.ts';

const spec = JSON.parse(process.env.BENCH_LOAD_SPEC ?? '{}') as StaticLoadSpec;
const bodies = spec.bodies ?? [];
let turn = 0;

const result = await runLoad({
  ...spec,
  ...(bodies.length > 0 && {
    prepare: () => {
      turn = (turn + 1) % bodies.length;
      return { body: bodies[turn] ?? '' };
    },
  }),
});
process.stdout.write(`${JSON.stringify(result)}\n`);
