import type { FastifyRequest } from 'fastify';
import { ErrorCode, isGatehouseError } from '../../core/errors.ts';
import type { GatehouseApi } from '../../core/use-cases/index.ts';
import { limits } from '../route-limits.ts';
import { endpoint } from '../routes.ts';
import { PAGE_PATHS, pageUrl } from './browser.ts';
import { renderPage } from './render.ts';
import { afterSignIn, field, flowHidden, flowQuery, targetOf } from './sign-in-flow.ts';
import { pageContext } from './sign-in.ts';
import type { FormField, FormPage } from './templates.ts';

type Errors = Partial<Record<'email' | 'password', FormField['error']>>;

function signUpForm(
  request: FastifyRequest,
  values: { firstName: string; lastName: string; email: string },
  errors: Errors = {},
  allowed = true,
): FormPage {
  return {
    heading: 'signUp.title',
    action: PAGE_PATHS.signUp,
    hidden: flowHidden(request),
    fields: allowed
      ? [
          {
            name: 'firstName',
            label: 'field.firstName',
            type: 'text',
            autocomplete: 'given-name',
            value: values.firstName,
            required: false,
          },
          { name: 'lastName', label: 'field.lastName', type: 'text', autocomplete: 'family-name', value: values.lastName, required: false },
          {
            name: 'email',
            label: 'field.email',
            type: 'email',
            autocomplete: 'email',
            value: values.email,
            ...(errors.email && { error: errors.email }),
          },
          {
            name: 'password',
            label: 'field.password',
            type: 'password',
            autocomplete: 'new-password',
            hint: 'signUp.passwordHint',
            ...(errors.password && { error: errors.password }),
          },
        ]
      : [],
    buttons: allowed ? [{ label: 'button.createAccount' }] : [],
    links: [{ href: pageUrl(PAGE_PATHS.signIn, flowQuery(request)), label: 'signUp.haveAccount' }],
    ...(!allowed && { notice: { kind: 'info' as const, message: 'signUp.notAllowed' as const } }),
  };
}

/** GET /login/sign-up: shown when the project lets people register themselves. */
export const signUpPage = (api: GatehouseApi) =>
  endpoint({
    schema: { hide: true },
    handler: async (request, reply) => {
      const context = await pageContext(api, request);
      const page = signUpForm(request, { firstName: '', lastName: '', email: field(request.query, 'login_hint') }, {}, context.signUp);
      return renderPage(reply, request, 'form', page, { ...context.options, status: context.signUp ? 200 : 403 });
    },
  });

/** POST /login/sign-up: creates the account, signs it in and goes on to the app. */
export const signUp = (api: GatehouseApi) =>
  endpoint({
    schema: { hide: true },
    config: limits('register', { account: ['email'], shed: true }),
    handler: async (request, reply) => {
      const context = await pageContext(api, request);
      const values = {
        firstName: field(request.body, 'firstName').trim(),
        lastName: field(request.body, 'lastName').trim(),
        email: field(request.body, 'email').trim(),
      };
      const password = field(request.body, 'password');
      const errors: Errors = {
        ...(values.email === ''
          ? { email: 'form.emailMissing' }
          : /^[^@\s]+@[^@\s]+$/.test(values.email)
            ? {}
            : { email: 'form.emailInvalid' }),
        ...(password === '' && { password: 'form.passwordMissing' }),
      };
      if (Object.keys(errors).length > 0)
        return renderPage(reply, request, 'form', signUpForm(request, values, errors), { ...context.options, status: 400 });
      try {
        const result = await api.oidc.hosted.register(targetOf(request), { ...values, password });
        if (result.kind !== 'signed-in') throw new Error('a new account has no second factor');
        return await afterSignIn(request, reply, result);
      } catch (error) {
        if (!isGatehouseError(error)) throw error;
        const failed: Errors | undefined =
          error.code === ErrorCode.EmailTaken
            ? { email: 'signUp.emailTaken' }
            : error.code === ErrorCode.WeakPassword
              ? { password: 'signUp.weakPassword' }
              : undefined;
        if (failed !== undefined)
          return renderPage(reply, request, 'form', signUpForm(request, values, failed), { ...context.options, status: 422 });
        if (error.code === ErrorCode.ProfileTypeNotAllowed)
          return renderPage(reply, request, 'form', signUpForm(request, values, {}, false), { ...context.options, status: 403 });
        throw error;
      }
    },
  });
