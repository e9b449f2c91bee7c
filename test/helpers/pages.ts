import type { FastifyRequest } from 'fastify';
import { isUuid } from '../../src/core/projects.ts';
import type { TenantRef } from '../../src/core/use-cases/tenants.ts';
import { flash, renderPage } from '../../src/http/pages/index.ts';
import type { FormField, FormPage } from '../../src/http/pages/templates.ts';
import { limits } from '../../src/http/route-limits.ts';
import { endpoint, type RouteTable } from '../../src/http/routes.ts';

/** A sign-in-shaped form built only from the foundation (form template, field partials, CSRF, flash), for its tests. */
export const FORM_PATH = '/test/form';

function text(source: unknown, name: string): string {
  const value = source !== null && typeof source === 'object' ? (source as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' ? value : '';
}

/** `?project=<id>` shows the page in that project's branding. */
function tenantOf(request: FastifyRequest): TenantRef | undefined {
  const project = text(request.query, 'project');
  return isUuid(project) ? { projectId: project } : undefined;
}

function page(action: string, email: Partial<FormField> = {}, password: Partial<FormField> = {}): FormPage {
  return {
    heading: 'button.signIn',
    action,
    fields: [
      { name: 'email', label: 'field.email', type: 'email', autocomplete: 'username', ...email },
      { name: 'password', label: 'field.password', type: 'password', autocomplete: 'current-password', ...password },
    ],
    buttons: [{ label: 'button.signIn' }],
    links: [{ href: '/', label: 'error.home' }],
  };
}

export const formFixture: RouteTable = [
  [
    'GET',
    FORM_PATH,
    endpoint({
      schema: { hide: true },
      handler: (request, reply) => renderPage(reply, request, 'form', page(request.url), { tenant: tenantOf(request) }),
    }),
  ],
  [
    'POST',
    FORM_PATH,
    endpoint({
      schema: { hide: true },
      config: limits('none'),
      handler: async (request, reply) => {
        const email = text(request.body, 'email').trim();
        const password = text(request.body, 'password');
        const emailError = email === '' ? 'form.emailMissing' : /^[^@\s]+@[^@\s]+$/.test(email) ? undefined : 'form.emailInvalid';
        const passwordError = password === '' ? 'form.passwordMissing' : undefined;
        if (emailError !== undefined || passwordError !== undefined) {
          const fixture = page(
            request.url,
            { value: email, ...(emailError && { error: emailError }) },
            { value: password, ...(passwordError && { error: passwordError }) },
          );
          return renderPage(reply, request, 'form', fixture, { status: 400, tenant: tenantOf(request) });
        }
        flash(request, reply, { kind: 'success', message: 'notice.passwordChanged' });
        return reply.redirect(request.url, 303);
      },
    }),
  ],
];
