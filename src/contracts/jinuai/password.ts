import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ErrorCode, GatehouseError } from '../../core/errors.ts';
import type { Core } from '../../core/index.ts';
import { principalOf } from '../../http/auth-guard.ts';
import { sessionContext } from '../../http/request-context.ts';
import { jinuaiGuard, servedProject } from './guard.ts';
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

/** Password recovery, reset and change, on the FastAPI full-stack template's routes and messages. */
export function registerPasswordRoutes(scope: FastifyInstance, core: Core): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { passwordReset, passwordChange } = core.lifecycle;

  app.post(
    '/password-recovery/:email',
    {
      schema: {
        tags: ['jinuai'],
        summary: 'Recover Password',
        description:
          'Emails a reset link (valid 1 hour, once). Unlike the template, the answer is the same for an address with no account, so it cannot be used to learn which emails exist.',
        params: Type.Object({ email: Type.String({ maxLength: 255 }) }),
        response: { 200: Message, ...errorResponses },
      },
    },
    async (request) => {
      passwordReset.request(await servedProject(core), request.params.email, RESET_LINK, sessionContext(request));
      return { message: 'Password recovery email sent' };
    },
  );

  app.post(
    '/reset-password/',
    {
      schema: {
        tags: ['jinuai'],
        summary: 'Reset Password',
        description: 'Sets the new password with the emailed token and signs the user out everywhere.',
        body: NewPassword,
        response: { 200: Message, ...errorResponses },
      },
    },
    async (request) => {
      await passwordReset.complete({ secret: request.body.token }, request.body.new_password, { ...sessionContext(request), field: 'new_password' });
      return { message: 'Password updated successfully' };
    },
  );

  app.patch(
    '/users/me/password',
    {
      preHandler: jinuaiGuard(core),
      schema: {
        tags: ['jinuai'],
        summary: 'Update Password Me',
        description: 'Needs the current password; signs out every other session.',
        security: [{ bearer: [] }],
        body: UpdatePassword,
        response: { 200: Message, ...errorResponses },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const { current_password: currentPassword, new_password: newPassword } = request.body;
      if (currentPassword === newPassword) throw new GatehouseError(ErrorCode.Validation, 'New password cannot be the same as the current one');
      await passwordChange.change(
        { userId: principal.userId, sessionId: principal.sessionId, currentPassword, newPassword, fields: { current: 'current_password', next: 'new_password' } },
        sessionContext(request),
      );
      return { message: 'Password updated successfully' };
    },
  );
}
