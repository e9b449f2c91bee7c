import { ErrorCode, isGatehouseError } from '../../core/errors.ts';
import type { GatehouseApi } from '../../core/use-cases/index.ts';
import { limits } from '../route-limits.ts';
import { endpoint } from '../routes.ts';
import { PAGE_PATHS, pageUrl } from './browser.ts';
import { PAGE_ERRORS, renderErrorPage } from './error-page.ts';
import { flash } from './flash.ts';
import { renderPage } from './render.ts';
import { field } from './sign-in-flow.ts';

/**
 * GET /login/verify-email?id=&secret=: a button, not the verification itself, so that a mail
 * scanner that opens links cannot spend the token.
 */
export const verifyEmailPage = () =>
  endpoint({
    schema: { hide: true },
    handler: async (request, reply) =>
      renderPage(reply, request, 'form', {
        heading: 'verify.title',
        intro: 'verify.intro',
        action: PAGE_PATHS.verifyEmail,
        hidden: { id: field(request.query, 'id'), secret: field(request.query, 'secret') },
        fields: [],
        buttons: [{ label: 'button.continue' }],
      }),
  });

/** POST /login/verify-email */
export const verifyEmail = (api: GatehouseApi) =>
  endpoint({
    schema: { hide: true },
    config: limits('auth'),
    handler: async (request, reply) => {
      try {
        await api.recovery.verifyEmail({ id: field(request.body, 'id'), secret: field(request.body, 'secret') });
      } catch (error) {
        if (isGatehouseError(error) && error.code === ErrorCode.InvalidVerificationToken)
          return renderErrorPage(reply, request, PAGE_ERRORS.expiredLink);
        throw error;
      }
      flash(request, reply, { kind: 'success', message: 'verify.done' });
      return reply.redirect(PAGE_PATHS.signIn, 303);
    },
  });

/** GET /verify-email/:id/:secret: the default verification link of emails, served by these pages. */
export const legacyVerifyLink = () =>
  endpoint({
    schema: {
      hide: true,
      params: { type: 'object', properties: { id: { type: 'string' }, secret: { type: 'string' } }, required: ['id', 'secret'] },
    },
    handler: async (request, reply) => {
      const { id, secret } = request.params as { id: string; secret: string };
      return reply.redirect(pageUrl(PAGE_PATHS.verifyEmail, { id, secret }), 302);
    },
  });
