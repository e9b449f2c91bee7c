import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { may, type Permission } from '../../core/use-cases/actor.ts';
import type { ConsoleActor } from '../../core/use-cases/console-access.ts';
import { pageCsp } from '../pages/csp.ts';
import { csrfToken } from '../pages/csrf.ts';
import { type ConsoleNotice, takeConsoleFlash } from './notices.ts';

/**
 * Where the console's templates are at run time: next to this module in src/, next to the bundle
 * in dist/ (scripts/build.mjs copies the folder there under the same name).
 */
const TEMPLATES_DIR = fileURLToPath(new URL('./console-templates/', import.meta.url));

// Compiled once and cached, like the hosted pages' templates; auto-escaped.
const eta = new Eta({ views: TEMPLATES_DIR, autoEscape: true, cache: true });

/** The console's navigation: one URL per page. */
export const NAV = [
  { href: '/console', label: 'Overview' },
  { href: '/console/users', label: 'Users' },
  { href: '/console/projects', label: 'Projects' },
  { href: '/console/security', label: 'Security' },
  { href: '/console/import', label: 'Import' },
] as const;

/** What every console template gets besides its page data. */
export interface ConsoleContext {
  readonly title: string;
  readonly operator: ConsoleActor;
  readonly email: string;
  readonly nav: ReadonlyArray<{ readonly href: string; readonly label: string; readonly current: boolean }>;
  readonly csrf: string;
  readonly notice: ConsoleNotice | undefined;
  readonly assets: { readonly css: string; readonly scripts: readonly string[]; readonly icon: string };
  readonly requestId: string;
  /** Whether the operator's role allows an action: buttons it does not are left out of the page. */
  readonly may: (permission: Permission) => boolean;
  readonly date: (value: Date | null | undefined) => string;
}

function formatDate(value: Date | null | undefined): string {
  if (value === null || value === undefined) return '–';
  return `${new Date(value).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * Renders a console page: the layout with navigation, the CSRF token (every form carries it),
 * strict CSP (scripts and styles from this server only, never framed, forms post to itself).
 */
export async function renderConsole(
  reply: FastifyReply,
  request: FastifyRequest,
  template: string,
  data: Record<string, unknown> & { readonly title: string; readonly notice?: ConsoleNotice },
  status = 200,
): Promise<FastifyReply> {
  const operator = request.operator;
  if (operator === undefined) throw new Error('console page rendered without an operator');
  const pages = request.server.pages;
  const path = request.url.split('?')[0] ?? '/console';
  const context: ConsoleContext = {
    title: data.title,
    operator: operator.actor,
    email: operator.email,
    nav: NAV.map((item) => ({
      ...item,
      current: item.href === '/console' ? path === '/console' : path === item.href || path.startsWith(`${item.href}/`),
    })),
    csrf: csrfToken(request, reply),
    notice: data.notice ?? takeConsoleFlash(request, reply),
    // pages.js: the hosted pages' enhancements (one submit per form, focus on errors) serve the console too.
    assets: {
      css: pages.asset('console.css'),
      scripts: [pages.asset('pages.js'), pages.asset('console.js')],
      icon: pages.asset('logo.svg'),
    },
    requestId: request.id,
    may: (permission) => may(operator.actor, permission),
    date: formatDate,
  };
  const html = await eta.renderAsync(template, { ...data, ...context });
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('content-security-policy', pageCsp())
    .header('cache-control', 'no-store')
    .send(html);
}
