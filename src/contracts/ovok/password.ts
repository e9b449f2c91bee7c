import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ErrorCode, GatehouseError } from '../../core/errors.ts';
import type { Core } from '../../core/index.ts';
import { bearerGuard, principalOf } from '../../http/auth-guard.ts';
import { sessionContext } from '../../http/request-context.ts';
import { AllOk, projectFrom, sendAllOk } from './outcomes.ts';
import { errorResponses } from './schemas.ts';

const Email = Type.String({ format: 'email', maxLength: 254 });
const Password = Type.String({ minLength: 1, maxLength: 1024 });
const ClientOrProject = {
  clientId: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Client application; names the project.' })),
  projectId: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Project (Medplum style); default project when neither is given.' })),
};
const ok = { 200: AllOk, ...errorResponses };

/** As in Medplum, the emailed link ends in /setpassword/{id}/{secret}. */
const RESET_LINK = '{base}/setpassword/{id}/{secret}';
const VERIFY_LINK = '{base}/verify-email/{id}/{secret}';

/** Password reset, set and change, and email verification, with Medplum's bodies and allOk answers. */
export function registerPasswordRoutes(scope: FastifyInstance, core: Core): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { passwordReset, passwordChange, verification } = core.lifecycle;

  app.post(
    '/auth/reset-password',
    {
      schema: {
        tags: ['ovok'],
        summary: 'Email a password reset link',
        description: 'Always answers allOk, whether or not an account uses the address (it cannot be used to learn which emails exist).',
        body: Type.Object({ email: Email, ...ClientOrProject, recaptchaToken: Type.Optional(Type.String({ maxLength: 4096 })), redirectUri: Type.Optional(Type.String({ maxLength: 2048 })) }),
        response: ok,
      },
    },
    async (request, reply) => {
      const project = await projectFrom(core, request.body);
      passwordReset.request(project, request.body.email, RESET_LINK, sessionContext(request));
      return sendAllOk(reply);
    },
  );

  app.post(
    '/auth/set-password',
    {
      schema: {
        tags: ['ovok'],
        summary: 'Set a new password with the emailed id and secret',
        description: 'The secret works once and expires (1 hour by default). Every session of the user is signed out.',
        body: Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }), secret: Type.String({ minLength: 1, maxLength: 200 }), password: Password }),
        response: ok,
      },
    },
    async (request, reply) => {
      const { id, secret, password } = request.body;
      await passwordReset.complete({ id, secret }, password, sessionContext(request));
      return sendAllOk(reply);
    },
  );

  app.post(
    '/auth/change-password',
    {
      preHandler: bearerGuard(core),
      schema: {
        tags: ['ovok'],
        summary: 'Change the password',
        description: 'Needs the current password; signs out every other session.',
        security: [{ bearer: [] }],
        body: Type.Object({ oldPassword: Password, newPassword: Password, confirmPassword: Password }),
        response: ok,
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const { oldPassword, newPassword, confirmPassword } = request.body;
      if (newPassword !== confirmPassword) {
        throw new GatehouseError(ErrorCode.Validation, 'Passwords do not match', { fields: [{ field: 'confirmPassword', message: 'Passwords do not match' }] });
      }
      await passwordChange.change(
        { userId: principal.userId, sessionId: principal.sessionId, currentPassword: oldPassword, newPassword, fields: { current: 'oldPassword', next: 'newPassword' } },
        sessionContext(request),
      );
      return sendAllOk(reply);
    },
  );

  app.post(
    '/auth/verify-email',
    {
      schema: {
        tags: ['ovok'],
        summary: 'Verify the email address with the emailed id and secret',
        description: 'The link sent at registration ends in /verify-email/{id}/{secret}.',
        body: Type.Object({ id: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })), secret: Type.String({ minLength: 1, maxLength: 200 }) }),
        response: ok,
      },
    },
    async (request, reply) => {
      await verification.verify({ id: request.body.id, secret: request.body.secret });
      return sendAllOk(reply);
    },
  );

  app.post(
    '/auth/resend-verification',
    {
      schema: {
        tags: ['ovok'],
        summary: 'Send the verification email again',
        description: 'Always answers allOk; at most one email a minute per account.',
        body: Type.Object({ email: Email, ...ClientOrProject }),
        response: ok,
      },
    },
    async (request, reply) => {
      verification.resend(await projectFrom(core, request.body), request.body.email, VERIFY_LINK);
      return sendAllOk(reply);
    },
  );
}
