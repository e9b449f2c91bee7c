/**
 * Preloaded into the Gatehouse process by `npm run soak` (node --import): measures the server's own
 * event-loop delay and resident memory, and appends one JSON line per interval to SOAK_PROBE_FILE.
 * Plain JavaScript: the server runs the production bundle with plain node, without tsx.
 */
import { appendFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { isMainThread } from 'node:worker_threads';

const file = process.env.SOAK_PROBE_FILE;
const RESOLUTION_MS = 5;
const INTERVAL_MS = 5000;

// --import runs in every worker thread too (the password-hash workers): only the main thread's
// event loop answers requests.
if (isMainThread && file !== undefined && file !== '') {
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  // Node records the whole time between two samples; the delay is what exceeds the sampling interval.
  const delayMs = (ns) => Math.max(0, ns / 1e6 - RESOLUTION_MS);
  const mb = (bytes) => Math.round((bytes / 1048576) * 10) / 10;
  const memory = () => {
    const usage = process.memoryUsage();
    return { rssMb: mb(usage.rss), heapUsedMb: mb(usage.heapUsed), externalMb: mb(usage.external), arrayBuffersMb: mb(usage.arrayBuffers) };
  };
  setInterval(() => {
    const line = {
      at: Date.now(),
      samples: histogram.count,
      p50Ms: delayMs(histogram.percentile(50)),
      p99Ms: delayMs(histogram.percentile(99)),
      maxMs: delayMs(histogram.max),
      ...memory(),
    };
    histogram.reset();
    appendFileSync(file, `${JSON.stringify(line)}\n`);
  }, INTERVAL_MS).unref();
}
