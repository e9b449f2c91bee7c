import { ErrorCode, GatehouseError } from '../../core/errors.ts';
import { principalOf } from '../../http/authenticate.ts';
import { sessionContext } from '../../http/request-context.ts';
import { limits } from '../../http/route-limits.ts';
import { endpoint } from '../../http/routes.ts';
import { rulesSchema } from './framework/rule-schema.ts';
import { laravelInput, validate, type Rules } from './framework/validation.ts';
import { signedIn, type PixelmoverDeps } from './guard.ts';
import { MessageResponse, errorResponses } from './schemas.ts';

/** Laravel's password-reset page: /reset-password/{token}?email=... */
const RESET_LINK = '{base}/reset-password/{secret}?email={email}';

const FORGOT_RULES: Rules = { email: 'required|string|email' };
const RESET_RULES: Rules = { token: 'required|string', email: 'required|string|email', password: 'required|string|min:8|confirmed' };
const UPDATE_RULES: Rules = { current_password: 'required|string', password: 'required|string|min:8|confirmed' };

/** The project's password policy, in Laravel's words where Laravel has them (Password::min, ::uncompromised). */
function laravelPolicyError(error: unknown): unknown {
  if (!(error instanceof GatehouseError) || error.code !== ErrorCode.WeakPassword) return error;
  const min = /at least (\d+)/.exec(error.message)?.[1];
  const max = /at most (\d+)/.exec(error.message)?.[1];
  const message =
    min !== undefined
      ? `The password field must be at least ${min} characters.`
      : max !== undefined
        ? `The password field must not be greater than ${max} characters.`
        : /breach/.test(error.message)
          ? 'The given password has appeared in a data leak. Please choose a different password.'
          : `The password is not allowed: ${error.message}.`;
  return new GatehouseError(ErrorCode.Validation, message, { fields: [{ field: 'password', message }] });
}

/** POST /v1/auth/forgot-password: emails a reset link; the answer is the same for any address. */
export const forgotPassword = ({ api }: PixelmoverDeps) =>
  endpoint({
    schema: {
      tags: ['pixelmover'],
      summary: 'password.email',
      description:
        'Emails a password reset link (valid 1 hour, once). Unlike Laravel, the answer is the same for an address with no account, so it cannot be used to learn which emails exist.',
      body: rulesSchema(FORGOT_RULES),
      response: { 200: MessageResponse, ...errorResponses },
    },
    config: limits('password-reset', { account: ['email'] }),
    handler: async (request) => {
      const input = await validate(laravelInput(request.body), FORGOT_RULES);
      await api.recovery.requestReset(request.tenant, String(input.email), RESET_LINK, sessionContext(request));
      return { success: true, message: 'We have emailed your password reset link.' };
    },
  });

/** POST /v1/auth/reset-password: the new password with the emailed token; signs the user out everywhere. */
export const resetPassword = ({ api }: PixelmoverDeps) =>
  endpoint({
    schema: {
      tags: ['pixelmover'],
      summary: 'password.update',
      description: 'Sets the new password with the emailed token; signs the user out everywhere.',
      body: rulesSchema(RESET_RULES),
      response: { 200: MessageResponse, ...errorResponses },
    },
    config: limits('password-reset', { account: ['email'] }),
    handler: async (request) => {
      const input = await validate(laravelInput(request.body), RESET_RULES);
      try {
        await api.recovery.completeReset(
          { secret: String(input.token), email: String(input.email) },
          String(input.password),
          sessionContext(request),
        );
      } catch (error) {
        if (error instanceof GatehouseError && error.code === ErrorCode.InvalidResetToken) {
          throw new GatehouseError(ErrorCode.Validation, 'This password reset token is invalid.', {
            fields: [{ field: 'email', message: 'This password reset token is invalid.' }],
          });
        }
        throw laravelPolicyError(error);
      }
      return { success: true, message: 'Your password has been reset.' };
    },
  });

/** PUT /v1/user/password: Fortify's password update; needs the current password, signs out every other session. */
export const updatePassword = ({ api, cookieName }: PixelmoverDeps) =>
  endpoint({
    schema: {
      tags: ['pixelmover'],
      summary: 'user-password.update',
      description: 'Fortify: needs `current_password`; signs out every other session.',
      body: rulesSchema(UPDATE_RULES),
      response: { 200: MessageResponse, ...errorResponses },
    },
    config: limits('password-reset'),
    preHandler: signedIn(api, cookieName),
    handler: async (request) => {
      const input = await validate(laravelInput(request.body), UPDATE_RULES);
      try {
        await api.recovery.changePassword(
          principalOf(request),
          { current: String(input.current_password), next: String(input.password) },
          { current: 'current_password', next: 'password' },
          sessionContext(request),
        );
      } catch (error) {
        if (error instanceof GatehouseError && error.code === ErrorCode.WrongPassword) {
          const message = 'The provided password does not match your current password.';
          throw new GatehouseError(ErrorCode.Validation, message, { fields: [{ field: 'current_password', message }] });
        }
        throw laravelPolicyError(error);
      }
      return { success: true, message: 'Your password has been updated.' };
    },
  });
