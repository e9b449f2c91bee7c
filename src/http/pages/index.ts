import fastifyFormbody from '@fastify/formbody';
import fastifyView from '@fastify/view';
import { Eta } from 'eta';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.ts';
import type { GatehouseApi } from '../../core/use-cases/index.ts';
import { mount, type RouteTable } from '../routes.ts';
import { assetUrls, registerAssets, TEMPLATES_DIR } from './assets.ts';
import { PageSupport } from './context.ts';
import { requireCsrf } from './csrf.ts';
import { PAGE_ERRORS, renderErrorPage, usePageErrors } from './error-page.ts';
import { pageRoutes } from './routes.ts';

export { renderPage, type PageOptions } from './render.ts';
export { renderErrorPage, PAGE_ERRORS, wantsHtml, type PageError } from './error-page.ts';
export { flash, type Notice } from './flash.ts';
export { hasValidCsrfToken } from './csrf.ts';

export interface PagesOptions {
  readonly api: GatehouseApi;
  readonly config: Config;
  /** Page routes mounted beside the built-in ones (test fixtures, embedding). */
  readonly extraRoutes?: RouteTable;
}

/**
 * The hosted pages (server-rendered HTML): the template engine and `pages` support on the root
 * app, so any scope can render a page (a contract's error page too), and one encapsulated scope
 * for the page routes and their assets, with the form body parser, the CSRF check and the
 * error page. Call before the contracts (the rate limits' onRoute hook must see page routes).
 */
export async function installPages(app: FastifyInstance, options: PagesOptions): Promise<void> {
  // @fastify/view adds a per-request hook for `reply.locals` unless the decorator exists: the
  // pages do not use locals, and the API's hot paths should not pay for it.
  app.decorateReply('locals', null);
  // Templates are compiled once and cached (`production`): editing one needs a restart, as code does.
  await app.register(fastifyView, { engine: { eta: new Eta({ autoEscape: true }) }, templates: TEMPLATES_DIR, production: true });
  app.decorate('pages', new PageSupport(options.api, options.config, assetUrls()));
  await app.register(async (scope) => {
    await scope.register(fastifyFormbody, { bodyLimit: 64 * 1024 });
    await registerAssets(scope);
    usePageErrors(scope);
    requireCsrf(scope, (request, reply) => renderErrorPage(reply, request, PAGE_ERRORS.csrf, { back: request.url.split('?')[0] ?? '/' }));
    mount(scope, [...pageRoutes(options.api, options.config), ...(options.extraRoutes ?? [])]);
  });
}
