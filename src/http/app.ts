import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { contracts } from '../contracts/index.ts';
import { ErrorCode, isGatehouseError } from '../core/errors.ts';
import { createCore, type Core, type CoreOptions } from '../core/index.ts';
import { openDatabase } from '../db/connection.ts';
import { migrate } from '../db/migrate.ts';
import { createLogger } from './logger.ts';
import { registerOpenApi } from './openapi.ts';
import { registerHealth } from './health.ts';
import { installMetrics } from './metrics.ts';
import { installLoadShedding } from './load-shedding.ts';
import { installRateLimits } from './rate-limit.ts';
import { installSecurityHeaders } from './security-headers.ts';
import { installCors } from './cors.ts';
import { installCsrf } from './csrf.ts';
import { sendProblem } from './error-mapping.ts';
import { installInputBoundary } from './input-boundary.ts';
import { installPages, PAGE_ERRORS, renderErrorPage, wantsHtml } from './pages/index.ts';
import type { RouteTable } from './routes.ts';
import { installConsole } from './console/index.ts';

declare module 'fastify' {
  interface FastifyInstance {
    core: Core;
  }
}

export interface BuildOptions extends CoreOptions {
  readonly logger?: Logger;
  /** Page routes mounted beside the hosted pages (test fixtures). */
  readonly extraPages?: RouteTable;
}

/**
 * Builds the whole server (database, core, every enabled contract) without listening: migrates
 * the database, builds the core, starts its background workers and creates the default project
 * on an empty database. Closing the app closes the core and the database.
 */
export async function buildApp(config: Config, options: BuildOptions = {}): Promise<FastifyInstance> {
  const logger = options.logger ?? createLogger(config);
  const database = await openDatabase(config);
  let core: Core;
  try {
    const applied = await migrate(database);
    if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');
    core = await createCore(config, database, logger, options);
  } catch (error) {
    await database.close();
    throw error;
  }
  try {
    await core.start();
    await core.bootstrap();
  } catch (error) {
    await core.close();
    throw error;
  }

  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: config.bodyLimit,
    trustProxy: typeof config.trustProxy === 'number' ? trustHops(config.trustProxy) : config.trustProxy,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    // Request bodies are validated strictly: "123" is not a number and 123 is not a string.
    ajv: { customOptions: { allErrors: true, coerceTypes: false, removeAdditional: false, useDefaults: true } },
    routerOptions: { ignoreTrailingSlash: true },
    // A URL Fastify refuses before routing (an invalid percent-escape): the contract's own 400.
    frameworkErrors: (error, request, reply) => {
      const contract = contracts.find((item) => item.urls?.prefix.test(request.url) && item.enabled(config));
      if (contract?.urls !== undefined) return sendProblem(reply, request, contract.urls.render, error);
      return (reply as FastifyReply).code(400).send({ error: 'bad_request', message: 'The request could not be processed' });
    },
  });
  app.decorate('core', core);
  app.addHook('onClose', async () => core.close());
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    reply.header('x-content-type-options', 'nosniff');
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
  });

  // First of all: every route registered after it (all of them) inherits the input boundary.
  installInputBoundary(app);
  installSecurityHeaders(app);
  await installCors(app, core);
  installCsrf(app, core);
  await registerOpenApi(app);
  registerHealth(app);
  // These hook every route registered after them: keep them before the contracts.
  const metrics = installMetrics(app, core);
  installLoadShedding(app, core);
  installRateLimits(app, core, metrics.rateLimited);
  await installPages(app, { api: core.api, config, ...(options.extraPages && { extraRoutes: options.extraPages }) });
  await installConsole(app, core.api);
  for (const contract of contracts) {
    if (contract.enabled(config)) await app.register(contract.plugin, { api: core.api, config });
  }
  app.setNotFoundHandler((request, reply) =>
    // A person who mistypes an address in a browser gets a page; API clients get JSON.
    wantsHtml(request)
      ? renderErrorPage(reply, request, PAGE_ERRORS.notFound)
      : reply.code(404).send({ error: 'not_found', message: `No route for ${request.method} ${request.url.split('?')[0]}` }),
  );
  app.setErrorHandler((error, request, reply) => {
    const status = (error as { statusCode?: number }).statusCode;
    if (status !== undefined && status >= 400 && status < 500)
      return reply.code(status).send({ error: 'bad_request', message: 'The request could not be processed' });
    if (isGatehouseError(error) && (error.code === ErrorCode.Unavailable || error.code === ErrorCode.Overloaded))
      return reply
        .code(503)
        .header('retry-after', String(error.extra.retryAfter ?? 1))
        .send({ error: error.code, message: 'Service temporarily unavailable' });
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send({ error: 'internal_error', message: 'Internal server error' });
  });
  await app.ready();
  return app;
}

/** TRUST_PROXY=N: believe the N nearest hops of X-Forwarded-For. */
function trustHops(hops: number): (address: string, hop: number) => boolean {
  return (_address, hop) => hop < hops;
}
