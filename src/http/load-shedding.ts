import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import type { Core } from '../core/index.ts';
import { overloaded } from '../core/passwords.ts';
import { asArray } from './rate-limit.ts';

/** Shed requests held in their pause at most; past this they are answered at once. */
const MAX_PAUSED = 2_000;

/**
 * Sheds the routes that declare `shed` (sign-ins and sign-ups: a password hash on every call) in
 * `onRequest`, before the body is read, when the newcomer would wait for a hash slot longer than
 * HASH_MAX_WAIT_MS (by expected waiting time, not queue length:
 * PasswordHasher.admitsAhead): it would be refused at the hash anyway, after costing a body parse,
 * schema validation and a user lookup, and under a login flood that work starved health checks
 * and token-authenticated reads of the event loop. Known and unknown emails are shed alike,
 * so a 503 says nothing about an address.
 *
 * Admitted requests are counted from here until their response ends, not from when they reach
 * the hash queue: a burst arriving at once (clients retrying together after their 503) would
 * otherwise all pass this check before any of them is queued, and then hold the database with
 * lookups for requests the queue refuses.
 *
 * The 503 (with Retry-After) comes after a short pause (HASH_SHED_DELAY_MS): a client that
 * retries at once, as scripts and floods do, would otherwise get thousands of answers a second
 * and keep the event loop busy with nothing but refusals. A paused request costs a timer. Must
 * be installed before the contracts.
 */
export function installLoadShedding(app: FastifyInstance, core: Core): void {
  const pauseMs = core.config.hashShedDelayMs;
  let paused = 0;
  let admitted = 0;
  const shed: onRequestHookHandler = async function shedWhenHashWaitTooLong(_request, reply) {
    if (core.hasher.admitsAhead(admitted)) {
      admitted += 1;
      let counted = true;
      const release = (): void => {
        if (!counted) return;
        counted = false;
        admitted -= 1;
      };
      // 'finish' when the answer is sent; 'close' also when the client went away first.
      reply.raw.once('finish', release);
      reply.raw.once('close', release);
      return;
    }
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
    if (route.config?.limits?.shed !== true) return;
    route.onRequest = [shed, ...asArray(route.onRequest)];
  });
}
