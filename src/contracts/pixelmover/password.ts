import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ErrorCode, GatehouseError } from '../../core/errors.ts';
import type { Core } from '../../core/index.ts';
import { principalOf } from '../../http/auth-guard.ts';
import { sessionContext } from '../../http/request-context.ts';
import { pixelmoverGuard, servedProject } from './guard.ts';
import { MessageResponse, errorResponses } from './schemas.ts';
import { laravelInput, validate, type Rules } from './validation.ts';

/** Laravel's password-reset page: /reset-password/{token}?email=... */
const RESET_LINK = '{base}/reset-password/{secret}?email={email}';
const VERIFY_LINK = '{base}/email/verify/{id}/{secret}';

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

/** Laravel/Fortify password reset and update, and email verification, in PixelMover's envelope. */
export function registerPasswordRoutes(app: FastifyInstance, core: Core): void {
  const { passwordReset, passwordChange, verification } = core.lifecycle;
  const guard = pixelmoverGuard(core);

  app.post(
    '/auth/forgot-password',
    {
      schema: {
        tags: ['pixelmover'],
        summary: 'password.email',
        description:
          'Emails a password reset link (valid 1 hour, once). Unlike Laravel, the answer is the same for an address with no account, so it cannot be used to learn which emails exist.',
        body: Type.Object({ email: Type.String({ format: 'email' }) }),
        response: { 200: MessageResponse, ...errorResponses },
      },
    },
    async (request) => {
      const input = await validate(laravelInput(request.body), FORGOT_RULES);
      passwordReset.request(await servedProject(core), String(input.email), RESET_LINK, sessionContext(request));
      return { success: true, message: 'We have emailed your password reset link.' };
    },
  );

  app.post(
    '/auth/reset-password',
    {
      schema: {
        tags: ['pixelmover'],
        summary: 'password.update',
        description: 'Sets the new password with the emailed token; signs the user out everywhere.',
        body: Type.Object({ token: Type.String(), email: Type.String({ format: 'email' }), password: Type.String({ minLength: 8 }), password_confirmation: Type.String() }),
        response: { 200: MessageResponse, ...errorResponses },
      },
    },
    async (request) => {
      const input = await validate(laravelInput(request.body), RESET_RULES);
      try {
        await passwordReset.complete({ secret: String(input.token), email: String(input.email) }, String(input.password), sessionContext(request));
      } catch (error) {
        if (error instanceof GatehouseError && error.code === ErrorCode.InvalidResetToken) {
          throw new GatehouseError(ErrorCode.Validation, 'This password reset token is invalid.', { fields: [{ field: 'email', message: 'This password reset token is invalid.' }] });
        }
        throw laravelPolicyError(error);
      }
      return { success: true, message: 'Your password has been reset.' };
    },
  );

  app.put(
    '/user/password',
    {
      preHandler: guard,
      schema: {
        tags: ['pixelmover'],
        summary: 'user-password.update',
        description: 'Fortify: needs `current_password`; signs out every other session.',
        body: Type.Object({ current_password: Type.String(), password: Type.String({ minLength: 8 }), password_confirmation: Type.String() }),
        response: { 200: MessageResponse, ...errorResponses },
      },
    },
    async (request) => {
      const input = await validate(laravelInput(request.body), UPDATE_RULES);
      const principal = principalOf(request);
      try {
        await passwordChange.change(
          { userId: principal.userId, sessionId: principal.sessionId, currentPassword: String(input.current_password), newPassword: String(input.password), fields: { current: 'current_password', next: 'password' } },
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
  );

  app.post(
    '/email/verification-notification',
    {
      preHandler: guard,
      schema: {
        tags: ['pixelmover'],
        summary: 'verification.send',
        description: 'Sends the verification link again (at most once a minute; 429 sooner). 202.',
        response: { 202: MessageResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const [user, project] = await Promise.all([core.users.byId(principal.userId), core.projects.get(principal.projectId)]);
      if (user.email_verified) return reply.code(202).send({ success: true, message: 'Your email address is already verified.' });
      await verification.resendFor(user, project, VERIFY_LINK);
      return reply.code(202).send({ success: true, message: 'verification-link-sent' });
    },
  );

  app.get(
    '/email/verify/:id/:hash',
    {
      schema: {
        tags: ['pixelmover'],
        summary: 'verification.verify',
        description: 'The link sent by email (registration links end in /verify-email/{id}/{secret}: pass them here).',
        params: Type.Object({ id: Type.String(), hash: Type.String() }),
        response: { 200: MessageResponse, ...errorResponses },
      },
    },
    async (request) => {
      const { id, hash } = request.params as { id: string; hash: string };
      try {
        await verification.verify({ id, secret: hash });
      } catch (error) {
        // Laravel refuses a bad or expired signed link with a 403.
        if (error instanceof GatehouseError && error.code === ErrorCode.InvalidVerificationToken) throw new GatehouseError(ErrorCode.Forbidden, 'Invalid signature.');
        throw error;
      }
      return { success: true, message: 'Your email address has been verified.' };
    },
  );
}
