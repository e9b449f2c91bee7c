import { Type } from 'typebox';
import { ErrorCode, GatehouseError } from '../../core/errors.ts';
import type { GatehouseApi } from '../../core/use-cases/index.ts';
import { principalOf } from '../../http/authenticate.ts';
import { sessionContext } from '../../http/request-context.ts';
import { limits } from '../../http/route-limits.ts';
import { endpoint } from '../../http/routes.ts';
import { bearer, signedIn } from './guard.ts';
import { Message, errorResponses } from './schemas.ts';

/** The FastAPI full-stack template's frontend page for the emailed token. */
const RESET_LINK = '{base}/reset-password?token={secret}';

const NewPassword = Type.Object(
  { token: Type.String({ maxLength: 200 }), new_password: Type.String({ minLength: 8, maxLength: 1024 }) },
  { title: 'NewPassword' },
);
const UpdatePassword = Type.Object(
  { current_password: Type.String({ minLength: 8, maxLength: 1024 }), new_password: Type.String({ minLength: 8, maxLength: 1024 }) },
  { title: 'UpdatePassword' },
);

/** POST /api/v1/password-recovery/:email: emails a reset link; the answer is the same for any address. */
export const recoverPassword = (api: GatehouseApi) =>
  endpoint({
    schema: {
      tags: ['jinuai'],
      summary: 'Recover Password',
      description:
        'Emails a reset link (valid 1 hour, once). Unlike the template, the answer is the same for an address with no account, so it cannot be used to learn which emails exist.',
      params: Type.Object({ email: Type.String({ maxLength: 255 }) }),
      response: { 200: Message, ...errorResponses },
    },
    config: limits('password-reset', { account: ['email'] }),
    handler: async (request) => {
      await api.recovery.requestReset(request.tenant, request.params.email, RESET_LINK, sessionContext(request));
      return { message: 'Password recovery email sent' };
    },
  });

/** POST /api/v1/reset-password/: the new password with the emailed token; signs the user out everywhere. */
export const resetPassword = (api: GatehouseApi) =>
  endpoint({
    schema: {
      tags: ['jinuai'],
      summary: 'Reset Password',
      description: 'Sets the new password with the emailed token and signs the user out everywhere.',
      body: NewPassword,
      response: { 200: Message, ...errorResponses },
    },
    config: limits('password-reset'),
    handler: async (request) => {
      await api.recovery.completeReset({ secret: request.body.token }, request.body.new_password, {
        ...sessionContext(request),
        field: 'new_password',
      });
      return { message: 'Password updated successfully' };
    },
  });

/** PATCH /api/v1/users/me/password: needs the current password; signs out every other session. */
export const updatePassword = (api: GatehouseApi) =>
  endpoint({
    schema: {
      tags: ['jinuai'],
      summary: 'Update Password Me',
      description: 'Needs the current password; signs out every other session.',
      security: bearer,
      body: UpdatePassword,
      response: { 200: Message, ...errorResponses },
    },
    config: limits('password-reset'),
    preHandler: signedIn(api),
    handler: async (request) => {
      const { current_password: current, new_password: next } = request.body;
      if (current === next) throw new GatehouseError(ErrorCode.Validation, 'New password cannot be the same as the current one');
      await api.recovery.changePassword(
        principalOf(request),
        { current, next },
        { current: 'current_password', next: 'new_password' },
        sessionContext(request),
      );
      return { message: 'Password updated successfully' };
    },
  });
