import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler, preHandlerHookHandler } from 'fastify';
import { addressKey } from '../core/abuse/client-address.ts';
import type { Bucket, Limit } from '../core/abuse/config.ts';
import type { LimitResult } from '../core/abuse/rate-limits.ts';
import { ErrorCode, GatehouseError } from '../core/errors.ts';
import type { Core } from '../core/index.ts';
import { accountOf, mustDeclareLimits, type RouteLimits } from './route-limits.ts';

export type RejectionListener = (bucket: Bucket, dimension: 'ip' | 'account') => void;

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route and the budget it declared (config.limits), in registration order. */
    routeLimits: Array<{ readonly method: string; readonly url: string; readonly limits: RouteLimits | undefined }>;
  }
}

/**
 * Rate limits for every auth endpoint of every contract, installed once on the root app: an
 * `onRoute` hook reads the budget each route declares (`config.limits`, see route-limits.ts)
 * and, for limited routes only, adds two route hooks. A route that can change state and
 * declares nothing is a startup error, so no endpoint can forget its budget. Per-IP budgets
 * are counted in `onRequest`, before the body is even read; per-account budgets in
 * `preHandler`, on the validated body. A refusal is a core RateLimited error, so each contract
 * renders its own 429. Per-account budgets are waived for addresses the account has logged in
 * from (see BruteForceGuard.isKnownAddress). Answers carry the IETF draft
 * `RateLimit-Limit/Remaining/Reset` headers of the tightest budget, and `Retry-After` on 429.
 * Must be called before the contracts are registered.
 */
export function installRateLimits(app: FastifyInstance, core: Core, onReject: RejectionListener = () => undefined): void {
  const { enabled, buckets } = core.config.rateLimits;
  const limiter = core.rateLimiter;
  app.decorate('routeLimits', []);

  app.addHook('onRoute', (route) => {
    const declared = route.config?.limits;
    const url = route.url;
    if (declared === undefined && mustDeclareLimits(route.method)) {
      throw new Error(`${String(route.method)} ${url} declares no rate-limit budget (config.limits)`);
    }
    app.routeLimits.push({ method: [route.method].flat().join(','), url, limits: declared });
    if (!enabled || declared === undefined || declared.bucket === 'none') return;
    const bucket = declared.bucket;
    const perIp: Array<{ bucket: Bucket; budget: Limit }> = [];
    if (buckets.auth.ip !== undefined) perIp.push({ bucket: 'auth', budget: buckets.auth.ip });
    if (bucket !== 'auth' && buckets[bucket].ip !== undefined) perIp.push({ bucket, budget: buckets[bucket].ip });
    const perAccount = buckets[bucket].account;
    const accountFields = declared.account;

    if (perIp.length > 0) {
      const onRequest: onRequestHookHandler = async function rateLimitByIp(request, reply) {
        const address = addressKey(request.ip);
        const results = await Promise.all(perIp.map((item) => limiter.hit(`${item.bucket}:ip:${address}`, item.budget)));
        enforce(
          request,
          reply,
          results,
          perIp.map((item) => item.bucket),
          'ip',
          onReject,
        );
      };
      route.onRequest = [...asArray(route.onRequest), onRequest];
    }
    if (perAccount !== undefined && accountFields !== undefined) {
      const preHandler: preHandlerHookHandler = async function rateLimitByAccount(request, reply) {
        const account = accountOf(accountFields, request.body, request.params);
        if (account === undefined) return;
        let result = await limiter.hit(`${bucket}:acct:${digestOf(account)}`, perAccount);
        // Anyone can spend an account's budget; the owner's own devices are not held to it, so
        // the budget cannot be used to lock the owner out.
        if (!result.allowed && (await core.bruteForce.isKnownAddress(account, request.ip))) result = { ...result, allowed: true };
        enforce(request, reply, [result], [bucket], 'account', onReject);
      };
      route.preHandler = [...asArray(route.preHandler), preHandler];
    }
  });
}

const TIGHTEST = Symbol('rateLimitTightest');
type Tracked = FastifyRequest & { [TIGHTEST]?: LimitResult };

function enforce(
  request: FastifyRequest,
  reply: FastifyReply,
  results: readonly LimitResult[],
  names: readonly Bucket[],
  dimension: 'ip' | 'account',
  onReject: RejectionListener,
): void {
  const tracked = request as Tracked;
  let tightest = tracked[TIGHTEST];
  for (const result of results) if (tightest === undefined || tighter(result, tightest)) tightest = result;
  if (tightest === undefined) return;
  tracked[TIGHTEST] = tightest;
  reply.header('ratelimit-limit', String(tightest.limit));
  reply.header('ratelimit-remaining', String(tightest.remaining));
  reply.header('ratelimit-reset', String(tightest.resetSeconds));

  const refusals = results.map((result, index) => ({ result, bucket: names[index] })).filter(({ result }) => !result.allowed);
  if (refusals.length === 0) return;
  const retryAfter = Math.max(...refusals.map(({ result }) => result.resetSeconds));
  for (const { bucket } of refusals) if (bucket !== undefined) onReject(bucket, dimension);
  reply.header('retry-after', String(retryAfter));
  throw new GatehouseError(ErrorCode.RateLimited, `Too many requests; try again in ${retryAfter} seconds`, { retryAfter });
}

function tighter(a: LimitResult, b: LimitResult): boolean {
  if (a.allowed !== b.allowed) return !a.allowed;
  return a.remaining !== b.remaining ? a.remaining < b.remaining : a.resetSeconds > b.resetSeconds;
}

export function asArray<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** Emails stay out of Redis keys in clear. */
function digestOf(account: string): string {
  return createHash('sha256').update(account).digest('base64url').slice(0, 32);
}
