import type {} from '@fastify/view';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { TenantRef } from '../../core/use-cases/tenants.ts';
import type { Brand } from './context.ts';
import { pageCsp } from './csp.ts';
import { csrfToken } from './csrf.ts';
import { takeFlash, type Notice } from './flash.ts';
import { catalogues, LOCALES, translator, type Translate } from './i18n/index.ts';
import { negotiateLocale } from './locale.ts';
import type { PageTemplates } from './templates.ts';

export interface PageOptions {
  /** Default 200. */
  readonly status?: number;
  /** Whose branding the page wears; the default project's when absent. */
  readonly tenant?: TenantRef;
  /** URIs the page's form may lead to by redirect (a client's checked redirect_uri): see csp.ts. */
  readonly formActions?: readonly string[];
}

/** What every template gets besides its page data (`it.t`, `it.brand`, ...). */
export interface PageContext {
  readonly t: Translate;
  readonly locale: string;
  /** Set when the language was chosen by ui_locales: forms carry it on (partials/hidden.eta). */
  readonly uiLocales: string | undefined;
  readonly languages: ReadonlyArray<{ readonly code: string; readonly name: string; readonly href: string; readonly current: boolean }>;
  readonly brand: Brand;
  readonly assets: { readonly css: string; readonly formsCss: string; readonly js: string; readonly icon: string };
  readonly csrf: string;
  readonly notice: Notice | undefined;
  readonly requestId: string;
}

/** The current URL with another ui_locales (the language links of the footer). */
function withLocale(url: string, locale: string): string {
  const parsed = new URL(url, 'http://page.invalid');
  parsed.searchParams.set('ui_locales', locale);
  return `${parsed.pathname}${parsed.search}`;
}

/**
 * Renders a template of templates/ as this request's page: language negotiated (ui_locales,
 * then Accept-Language), the tenant's branding, the CSRF token (its cookie set when new), a
 * flashed notice, and the pages' headers: strict CSP, no caching (X-Frame-Options and
 * Referrer-Policy come from security-headers.ts for every answer).
 */
export async function renderPage<K extends keyof PageTemplates>(
  reply: FastifyReply,
  request: FastifyRequest,
  template: K,
  data: PageTemplates[K],
  options: PageOptions = {},
): Promise<FastifyReply> {
  const pages = request.server.pages;
  const { locale, uiLocales } = negotiateLocale(request);
  const context: PageContext = {
    t: translator(locale),
    locale,
    uiLocales,
    languages: LOCALES.map((code) => ({
      code,
      name: catalogues[code]?.['language.name'] ?? code,
      href: withLocale(request.url, code),
      current: code === locale,
    })),
    brand: await pages.brand(options.tenant, request.log),
    assets: {
      css: pages.asset('pages.css'),
      formsCss: pages.asset('forms.css'),
      js: pages.asset('pages.js'),
      icon: pages.asset('logo.svg'),
    },
    csrf: csrfToken(request, reply),
    notice: data.notice ?? takeFlash(request, reply),
    requestId: request.id,
  };
  const html = await reply.viewAsync(template, { ...data, ...context });
  return reply
    .code(options.status ?? 200)
    .type('text/html; charset=utf-8')
    .header('content-security-policy', pageCsp(options.formActions))
    .header('cache-control', 'no-store')
    .send(html);
}
