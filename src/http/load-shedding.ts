import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import type { Core } from '../core/index.ts';
import { overloaded } from '../core/passwords.ts';
import { asArray } from './rate-limit.ts';
import { bucketOfRoute } from './rate-limit-routes.ts';

/** The routes that run a password hash on every call. */
const HASHING = new Set(['login', 'register']);
/** Shed requests held in their pause at most; past this they are answered at once. */
const MAX_PAUSED = 2_000;

/**
 * Sheds sign-ins and sign-ups in `onRequest`, before the body is read, while a hash requested now
 * would wait for a slot longer than HASH_MAX_WAIT_MS (PasswordHasher.full, by expected waiting
 * time, not queue length): they would be refused at the hash anyway, after costing a body parse, schema
 * validation and a user lookup each, and under a login flood that work starved health checks
 * and token-authenticated reads of the event loop. Known and unknown emails are shed alike,
 * so a 503 says nothing about an address.
 *
 * The 503 (with Retry-After) comes after a short pause (HASH_SHED_DELAY_MS): a client that
 * retries at once, as scripts and floods do, would otherwise get thousands of answers a second
 * and keep the event loop busy with nothing but refusals. A paused request costs a timer. Must
 * be installed before the contracts.
 */
export function installLoadShedding(app: FastifyInstance, core: Core): void {
  const pauseMs = core.config.hashShedDelayMs;
  let paused = 0;
  const shed: onRequestHookHandler = async function shedWhenHashWaitTooLong() {
    if (!core.hasher.full) return;
    if (pauseMs > 0 && paused < MAX_PAUSED) {
      paused += 1;
      try {
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
      } finally {
        paused -= 1;
      }
    }
    throw overloaded();
  };
  app.addHook('onRoute', (route) => {
    const bucket = bucketOfRoute(route);
    if (bucket === undefined || !HASHING.has(bucket)) return;
    route.onRequest = [shed, ...asArray(route.onRequest)];
  });
}
