import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Bucket } from '../core/abuse/config.ts';
import { ErrorCode } from '../core/errors.ts';
import type { Core } from '../core/index.ts';
import { constantTimeEqual } from '../core/secrets.ts';
import { bearerToken } from './request-context.ts';

export interface Metrics {
  readonly registry: Registry;
  rateLimited(bucket: Bucket, dimension: 'ip' | 'account'): void;
}

/**
 * Prometheus metrics at GET /metrics (prom-client, one registry per app so test apps do not
 * share series). The per-request cost is one histogram observation in `onResponse`; gauges
 * (hash queue, DB pool, Redis) are read only when scraped. With METRICS_TOKEN set, scrapes
 * need `Authorization: Bearer <token>`. Must be called before the contracts are registered.
 */
export function installMetrics(app: FastifyInstance, core: Core): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service: 'gatehouse' });
  const rateLimited = new Counter({
    name: 'gatehouse_rate_limited_total',
    help: 'Requests refused by a rate limit, by budget and dimension',
    labelNames: ['bucket', 'dimension'],
    registers: [registry],
  });
  const metrics: Metrics = { registry, rateLimited: (bucket, dimension) => rateLimited.inc({ bucket, dimension }) };
  if (!core.config.metrics.enabled) return metrics;

  collectDefaultMetrics({ register: registry, prefix: 'gatehouse_process_' });
  const requests = new Histogram({
    name: 'gatehouse_http_request_duration_seconds',
    help: 'Request latency by method, route pattern and status (its _count is the request count)',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const logins = new Counter({
    name: 'gatehouse_logins_total',
    help: 'Password logins by outcome',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const events = new Counter({
    name: 'gatehouse_security_events_total',
    help: 'Security events (the audit log actions) by action and outcome',
    labelNames: ['action', 'outcome'],
    registers: [registry],
  });
  core.events.on((event) => {
    events.inc({ action: event.action, outcome: event.outcome });
    if (event.action === 'login') logins.inc({ outcome: event.outcome });
  });
  const gauge = (name: string, help: string, read: () => number): void => {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  };
  gauge('gatehouse_hash_queue_depth', 'Password hashes waiting for a worker', () => core.hasher.queueDepth);
  gauge('gatehouse_hash_in_flight', 'Password hashes being computed', () => core.hasher.inFlight);
  gauge(
    'gatehouse_hash_expected_wait_seconds',
    'Expected wait for a hash slot now (sign-ins are shed past HASH_MAX_WAIT_MS)',
    () => core.hasher.expectedWaitMs / 1000,
  );
  gauge('gatehouse_audit_backlog', 'Audit events waiting to be written', () => core.audit.backlog);
  gauge('gatehouse_db_pool_connections', 'Database connections open', () => core.database.poolStats().total);
  gauge('gatehouse_db_pool_idle', 'Database connections idle', () => core.database.poolStats().idle);
  gauge('gatehouse_db_pool_waiting', 'Queries waiting for a database connection', () => core.database.poolStats().waiting);
  if (core.redis !== undefined) {
    const redis = core.redis;
    gauge('gatehouse_redis_up', '1 while the shared Redis connection is usable', () => (redis.ready ? 1 : 0));
  }

  app.addHook('onResponse', async (request, reply) => {
    requests.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  const token = core.config.metrics.token;
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    if (token !== undefined) {
      const presented = bearerToken(request);
      if (presented === undefined || !constantTimeEqual(presented, token)) {
        return reply
          .code(401)
          .header('www-authenticate', 'Bearer')
          .send({ error: ErrorCode.Unauthenticated, message: 'A valid metrics token is required' });
      }
    }
    return reply.type(registry.contentType).send(await registry.metrics());
  });
  return metrics;
}
