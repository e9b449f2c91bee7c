import { Type } from 'typebox';
import { ErrorCode, GatehouseError } from '../../core/errors.ts';
import type { GatehouseApi } from '../../core/use-cases/index.ts';
import { principalOf } from '../../http/authenticate.ts';
import { sessionContext } from '../../http/request-context.ts';
import { limits } from '../../http/route-limits.ts';
import { endpoint } from '../../http/routes.ts';
import { signedIn } from './guard.ts';
import { AllOk, ClientOrProject, Email, sendAllOk } from './outcomes.ts';
import { errorResponses } from './schemas.ts';

const Password = Type.String({ minLength: 1, maxLength: 1024 });
const ok = { 200: AllOk, ...errorResponses };

/** As in Medplum, the emailed link ends in /setpassword/{id}/{secret}. */
const RESET_LINK = '{base}/setpassword/{id}/{secret}';

/** POST /auth/reset-password: emails a reset link; the answer is the same for any address. */
export const resetPassword = (api: GatehouseApi) =>
  endpoint({
    schema: {
      tags: ['ovok'],
      summary: 'Email a password reset link',
      description: 'Always answers allOk, whether or not an account uses the address (it cannot be used to learn which emails exist).',
      body: Type.Object({
        email: Email,
        ...ClientOrProject,
        recaptchaToken: Type.Optional(Type.String({ maxLength: 4096 })),
        redirectUri: Type.Optional(Type.String({ maxLength: 2048 })),
      }),
      response: ok,
    },
    config: limits('password-reset', { account: ['email'] }),
    handler: async (request, reply) => {
      await api.recovery.requestReset(request.tenant, request.body.email, RESET_LINK, sessionContext(request));
      return sendAllOk(reply);
    },
  });

/** POST /auth/set-password: the new password, with the emailed id and secret. */
export const setPassword = (api: GatehouseApi) =>
  endpoint({
    schema: {
      tags: ['ovok'],
      summary: 'Set a new password with the emailed id and secret',
      description: 'The secret works once and expires (1 hour by default). Every session of the user is signed out.',
      body: Type.Object({
        id: Type.String({ minLength: 1, maxLength: 100 }),
        secret: Type.String({ minLength: 1, maxLength: 200 }),
        password: Password,
      }),
      response: ok,
    },
    config: limits('password-reset'),
    handler: async (request, reply) => {
      const { id, secret, password } = request.body;
      await api.recovery.completeReset({ id, secret }, password, sessionContext(request));
      return sendAllOk(reply);
    },
  });

/** POST /auth/change-password: needs the current password; signs out every other session. */
export const changePassword = (api: GatehouseApi) =>
  endpoint({
    schema: {
      tags: ['ovok'],
      summary: 'Change the password',
      description: 'Needs the current password; signs out every other session.',
      security: [{ bearer: [] }],
      body: Type.Object({ oldPassword: Password, newPassword: Password, confirmPassword: Password }),
      response: ok,
    },
    config: limits('password-reset'),
    preHandler: signedIn(api),
    handler: async (request, reply) => {
      const { oldPassword, newPassword, confirmPassword } = request.body;
      if (newPassword !== confirmPassword) {
        throw new GatehouseError(ErrorCode.Validation, 'Passwords do not match', {
          fields: [{ field: 'confirmPassword', message: 'Passwords do not match' }],
        });
      }
      await api.recovery.changePassword(
        principalOf(request),
        { current: oldPassword, next: newPassword },
        { current: 'oldPassword', next: 'newPassword' },
        sessionContext(request),
      );
      return sendAllOk(reply);
    },
  });
