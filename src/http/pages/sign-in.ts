import type { FastifyReply, FastifyRequest } from 'fastify';
import type { GatehouseApi } from '../../core/use-cases/index.ts';
import { limits } from '../route-limits.ts';
import { endpoint } from '../routes.ts';
import { browserOf, PAGE_PATHS, pageUrl } from './browser.ts';
import type { Notice } from './flash.ts';
import { renderPage, type PageOptions } from './render.ts';
import { afterSignIn, field, flowHidden, flowQuery, interactionOf, projectOf, signInNotice, targetOf } from './sign-in-flow.ts';
import type { FormField, FormPage, PageLink } from './templates.ts';

/** What the sign-in pages know about the request they serve: whose look, which app, where the form may lead. */
export async function pageContext(
  api: GatehouseApi,
  request: FastifyRequest,
): Promise<{ options: PageOptions; client?: string; loginHint?: string; signUp: boolean }> {
  const interaction = interactionOf(request);
  if (interaction === undefined) {
    const tenant = projectOf(request);
    const project = await api.tenants.project(tenant ?? { defaultProject: true });
    return { options: tenant === undefined ? {} : { tenant }, signUp: project.self_register_types.length > 0 };
  }
  const view = await api.oidc.authorization.interaction(interaction, browserOf(request));
  return {
    // The form's answer may be the redirect to the app: its (checked) redirect URI is a form target.
    options: { tenant: { clientId: view.client.id }, formActions: [view.params.redirectUri] },
    client: view.client.name,
    ...(view.params.loginHint !== undefined && { loginHint: view.params.loginHint }),
    signUp: view.project.self_register_types.length > 0,
  };
}

function signInForm(
  request: FastifyRequest,
  context: { client?: string; signUp: boolean },
  email: FormField['value'],
  errors: { email?: FormField['error']; password?: FormField['error'] } = {},
  notice?: Notice,
): FormPage {
  const query = flowQuery(request);
  const links: PageLink[] = [{ href: pageUrl(PAGE_PATHS.forgotPassword, query), label: 'signIn.forgotPassword' }];
  if (context.signUp) links.push({ href: pageUrl(PAGE_PATHS.signUp, query), label: 'signIn.signUp' });
  return {
    heading: 'button.signIn',
    ...(context.client !== undefined && { intro: 'signIn.intro', introParams: { client: context.client } }),
    action: PAGE_PATHS.signIn,
    hidden: flowHidden(request),
    fields: [
      {
        name: 'email',
        label: 'field.email',
        type: 'email',
        autocomplete: 'username',
        value: email ?? '',
        ...(errors.email && { error: errors.email }),
      },
      {
        name: 'password',
        label: 'field.password',
        type: 'password',
        autocomplete: 'current-password',
        ...(errors.password && { error: errors.password }),
      },
    ],
    buttons: [{ label: 'button.signIn' }],
    links,
    ...(notice !== undefined && { notice }),
  };
}

export function codeForm(request: FastifyRequest, challenge: string, notice?: Notice, codeError?: FormField['error']): FormPage {
  return {
    heading: 'code.title',
    intro: 'code.intro',
    action: PAGE_PATHS.code,
    hidden: { ...flowHidden(request), challenge },
    fields: [
      {
        name: 'code',
        label: 'field.code',
        type: 'text',
        autocomplete: 'one-time-code',
        inputmode: 'numeric',
        ...(codeError && { error: codeError }),
      },
    ],
    buttons: [{ label: 'button.continue' }],
    ...(notice !== undefined && { notice }),
  };
}

async function refuse(reply: FastifyReply, error: unknown): Promise<{ status: number; notice: Notice }> {
  const known = signInNotice(error);
  if (known === undefined) throw error;
  const retry = (error as { extra?: { retryAfter?: number } }).extra?.retryAfter;
  if (retry !== undefined) reply.header('retry-after', String(retry));
  return { status: known.status, notice: { kind: 'error', message: known.message } };
}

/** GET /login: the sign-in form (for an authorization request, or the project directly). */
export const signInPage = (api: GatehouseApi) =>
  endpoint({
    schema: { hide: true },
    handler: async (request, reply) => {
      const context = await pageContext(api, request);
      return renderPage(
        reply,
        request,
        'form',
        signInForm(request, context, context.loginHint ?? field(request.query, 'login_hint')),
        context.options,
      );
    },
  });

/** POST /login: email and password; answers the code form when the account has a second factor. */
export const signIn = (api: GatehouseApi) =>
  endpoint({
    schema: { hide: true },
    config: limits('login', { account: ['email'], shed: true }),
    handler: async (request, reply) => {
      const context = await pageContext(api, request);
      const email = field(request.body, 'email').trim();
      const password = field(request.body, 'password');
      const errors = {
        ...(email === ''
          ? { email: 'form.emailMissing' as const }
          : /^[^@\s]+@[^@\s]+$/.test(email)
            ? {}
            : { email: 'form.emailInvalid' as const }),
        ...(password === '' && { password: 'form.passwordMissing' as const }),
      };
      if (Object.keys(errors).length > 0)
        return renderPage(reply, request, 'form', signInForm(request, context, email, errors), { ...context.options, status: 400 });
      try {
        const result = await api.oidc.hosted.password(targetOf(request), email, password);
        if (result.kind === 'mfa') return renderPage(reply, request, 'form', codeForm(request, result.challenge), context.options);
        return await afterSignIn(request, reply, result);
      } catch (error) {
        const { status, notice } = await refuse(reply, error);
        return renderPage(reply, request, 'form', signInForm(request, context, email, {}, notice), { ...context.options, status });
      }
    },
  });

/** POST /login/code: the TOTP or recovery code of a sign-in that asked for one. */
export const signInCode = (api: GatehouseApi) =>
  endpoint({
    schema: { hide: true },
    config: limits('mfa'),
    handler: async (request, reply) => {
      const context = await pageContext(api, request);
      const challenge = field(request.body, 'challenge');
      const code = field(request.body, 'code').trim();
      if (code === '')
        return renderPage(reply, request, 'form', codeForm(request, challenge, undefined, 'form.codeMissing'), {
          ...context.options,
          status: 400,
        });
      try {
        return await afterSignIn(request, reply, await requireSignedIn(api.oidc.hosted.mfaCode(targetOf(request), challenge, code)));
      } catch (error) {
        const { status, notice } = await refuse(reply, error);
        return renderPage(reply, request, 'form', codeForm(request, challenge, notice), { ...context.options, status });
      }
    },
  });

async function requireSignedIn<T extends { kind: string }>(pending: Promise<T>): Promise<Extract<T, { kind: 'signed-in' }>> {
  const result = await pending;
  if (result.kind !== 'signed-in') throw new Error('a second factor was asked for twice');
  return result as Extract<T, { kind: 'signed-in' }>;
}
