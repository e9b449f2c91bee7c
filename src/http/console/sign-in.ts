import { Type } from 'typebox';
import { isGatehouseError } from '../../core/errors.ts';
import type { GatehouseApi } from '../../core/use-cases/index.ts';
import { sessionContext } from '../request-context.ts';
import { limits } from '../route-limits.ts';
import { endpoint } from '../routes.ts';
import { renderPage } from '../pages/render.ts';
import { renderErrorPage, PAGE_ERRORS } from '../pages/error-page.ts';
import { beginSignIn, clearConsoleSession, consoleSecret, setConsoleSession, takeSignIn } from './session.ts';

const hide = { hide: true };

/** GET /console/sign-in: to the authorization endpoint (hosted sign-in), back to `return` afterwards. */
export const startSignIn = (api: GatehouseApi) =>
  endpoint({
    schema: { ...hide, querystring: Type.Object({ return: Type.Optional(Type.String({ maxLength: 2000 })) }) },
    handler: async (request, reply) =>
      reply
        .code(303)
        .header('location', await beginSignIn(api, request, reply, request.query.return ?? '/console'))
        .send(),
  });

/**
 * GET /console/callback: the authorization code comes back. The state must match the login
 * cookie's (a code sent by someone else's sign-in is refused); the code is exchanged with the
 * PKCE verifier through the token use case, and the console session cookie is set.
 */
export const callback = (api: GatehouseApi) =>
  endpoint({
    schema: {
      ...hide,
      querystring: Type.Object({
        code: Type.Optional(Type.String({ maxLength: 200 })),
        state: Type.Optional(Type.String({ maxLength: 200 })),
        error: Type.Optional(Type.String({ maxLength: 200 })),
        error_description: Type.Optional(Type.String({ maxLength: 500 })),
        iss: Type.Optional(Type.String({ maxLength: 500 })),
      }),
    },
    handler: async (request, reply) => {
      const pending = takeSignIn(request, reply);
      const { code, state } = request.query;
      if (pending === undefined || state !== pending.state || code === undefined) {
        return renderErrorPage(reply, request, PAGE_ERRORS.expiredRequest, { back: '/console/sign-in' });
      }
      try {
        const { secret } = await api.console.access.complete({ code, codeVerifier: pending.verifier, context: sessionContext(request) });
        setConsoleSession(request, reply, secret);
        return reply.code(303).header('location', pending.returnTo).send();
      } catch (error) {
        if (
          isGatehouseError(error) &&
          error.extra.data !== undefined &&
          'reason' in error.extra.data &&
          error.extra.data.reason === 'mfa_required'
        ) {
          return renderPage(
            reply,
            request,
            'error',
            {
              heading: 'console.mfaRequiredTitle',
              message: 'console.mfaRequired',
              back: { href: '/console/sign-in', label: 'console.signInAgain' },
            },
            { status: 403 },
          );
        }
        throw error;
      }
    },
  });

/** POST /console/sign-out: ends the console session and the browser session behind it. */
export const signOut = (api: GatehouseApi) =>
  endpoint({
    schema: hide,
    config: limits('none'),
    handler: async (request, reply) => {
      const secret = consoleSecret(request);
      if (secret !== undefined) {
        const operator = await api.console.access.operator(secret, request.ip).catch(() => undefined);
        if (operator !== undefined) await api.console.access.signOut(operator.actor, sessionContext(request));
      }
      clearConsoleSession(request, reply);
      return reply.code(303).header('location', '/console/signed-out').send();
    },
  });

/** GET /console/signed-out */
export const signedOut = () =>
  endpoint({
    schema: hide,
    handler: async (request, reply) =>
      renderPage(reply, request, 'error', {
        heading: 'console.signedOutTitle',
        message: 'console.signedOut',
        back: { href: '/console', label: 'console.signInAgain' },
      }),
  });
