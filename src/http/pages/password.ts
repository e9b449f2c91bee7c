import type { FastifyRequest } from 'fastify';
import { ErrorCode, isGatehouseError } from '../../core/errors.ts';
import type { GatehouseApi } from '../../core/use-cases/index.ts';
import { sessionContext } from '../request-context.ts';
import { limits } from '../route-limits.ts';
import { endpoint } from '../routes.ts';
import { PAGE_PATHS, pageUrl } from './browser.ts';
import { PAGE_ERRORS, renderErrorPage } from './error-page.ts';
import { flash } from './flash.ts';
import { renderPage } from './render.ts';
import { field, flowHidden, flowQuery, targetOf } from './sign-in-flow.ts';
import { pageContext } from './sign-in.ts';
import type { FormField, FormPage } from './templates.ts';

/** The emailed link of a reset asked for on these pages (a project's own pattern wins: see core/lifecycle/account-mail.ts). */
const RESET_LINK = `{base}${PAGE_PATHS.resetPassword}?id={id}&secret={secret}`;

function forgotForm(request: FastifyRequest, email: string, error?: FormField['error']): FormPage {
  return {
    heading: 'forgot.title',
    intro: 'forgot.intro',
    action: PAGE_PATHS.forgotPassword,
    hidden: flowHidden(request),
    fields: [{ name: 'email', label: 'field.email', type: 'email', autocomplete: 'username', value: email, ...(error && { error }) }],
    buttons: [{ label: 'button.continue' }],
    links: [{ href: pageUrl(PAGE_PATHS.signIn, flowQuery(request)), label: 'signUp.haveAccount' }],
  };
}

function resetForm(id: string, secret: string, error?: FormField['error']): FormPage {
  return {
    heading: 'reset.title',
    intro: 'reset.intro',
    action: PAGE_PATHS.resetPassword,
    hidden: { id, secret },
    fields: [
      {
        name: 'password',
        label: 'field.password',
        type: 'password',
        autocomplete: 'new-password',
        hint: 'signUp.passwordHint',
        ...(error && { error }),
      },
    ],
    buttons: [{ label: 'button.continue' }],
  };
}

/** GET /login/forgot-password */
export const forgotPasswordPage = (api: GatehouseApi) =>
  endpoint({
    schema: { hide: true },
    handler: async (request, reply) => {
      const context = await pageContext(api, request);
      return renderPage(reply, request, 'form', forgotForm(request, field(request.query, 'login_hint')), context.options);
    },
  });

/** POST /login/forgot-password: the same answer whether or not the address has an account. */
export const forgotPassword = (api: GatehouseApi) =>
  endpoint({
    schema: { hide: true },
    config: limits('password-reset', { account: ['email'] }),
    handler: async (request, reply) => {
      const context = await pageContext(api, request);
      const email = field(request.body, 'email').trim();
      if (!/^[^@\s]+@[^@\s]+$/.test(email)) {
        return renderPage(reply, request, 'form', forgotForm(request, email, email === '' ? 'form.emailMissing' : 'form.emailInvalid'), {
          ...context.options,
          status: 400,
        });
      }
      const tenant = await api.oidc.hosted.tenantOf(targetOf(request));
      await api.recovery.requestReset(tenant, email, RESET_LINK, sessionContext(request));
      flash(request, reply, { kind: 'info', message: 'forgot.sent' });
      return reply.redirect(pageUrl(PAGE_PATHS.signIn, flowQuery(request)), 303);
    },
  });

/** GET /login/reset-password?id=&secret= (the emailed link) */
export const resetPasswordPage = () =>
  endpoint({
    schema: { hide: true },
    handler: async (request, reply) =>
      renderPage(reply, request, 'form', resetForm(field(request.query, 'id'), field(request.query, 'secret'))),
  });

/** POST /login/reset-password: sets the new password; every session of the account ends. */
export const resetPassword = (api: GatehouseApi) =>
  endpoint({
    schema: { hide: true },
    config: limits('password-reset', { shed: true }),
    handler: async (request, reply) => {
      const id = field(request.body, 'id');
      const secret = field(request.body, 'secret');
      const password = field(request.body, 'password');
      if (password === '') return renderPage(reply, request, 'form', resetForm(id, secret, 'form.passwordMissing'), { status: 400 });
      try {
        await api.recovery.completeReset({ id, secret }, password, { ...sessionContext(request), field: 'password' });
      } catch (error) {
        if (isGatehouseError(error) && error.code === ErrorCode.WeakPassword)
          return renderPage(reply, request, 'form', resetForm(id, secret, 'signUp.weakPassword'), { status: 422 });
        if (isGatehouseError(error) && error.code === ErrorCode.InvalidResetToken)
          return renderErrorPage(reply, request, PAGE_ERRORS.expiredLink, { back: PAGE_PATHS.forgotPassword });
        throw error;
      }
      flash(request, reply, { kind: 'success', message: 'notice.passwordChanged' });
      return reply.redirect(PAGE_PATHS.signIn, 303);
    },
  });

/** GET /setpassword/:id/:secret: the Ovok contract's default reset link, served by these pages. */
export const legacyResetLink = () =>
  endpoint({
    schema: {
      hide: true,
      params: { type: 'object', properties: { id: { type: 'string' }, secret: { type: 'string' } }, required: ['id', 'secret'] },
    },
    handler: async (request, reply) => {
      const { id, secret } = request.params as { id: string; secret: string };
      return reply.redirect(pageUrl(PAGE_PATHS.resetPassword, { id, secret }), 302);
    },
  });
