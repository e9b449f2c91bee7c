import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Core } from '../../core/index.ts';
import { bearerGuard, principalOf } from '../../http/auth-guard.ts';
import { sessionContext } from '../../http/request-context.ts';
import { AllOk, sendAllOk } from './outcomes.ts';
import { answer } from './register-login.ts';
import { RegisterLoginResponse, errorResponses } from './schemas.ts';

const Code = Type.String({ minLength: 6, maxLength: 20, description: 'A 6-digit code from the authenticator app, or a recovery code.' });
const security = [{ bearer: [] }];

/** TOTP enrollment and the second login step, on Medplum's /auth/mfa routes. */
export function registerMfaRoutes(scope: FastifyInstance, core: Core): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { mfa } = core.lifecycle;

  app.get(
    '/auth/mfa/status',
    {
      preHandler: bearerGuard(core),
      schema: {
        tags: ['ovok'],
        summary: 'MFA status; when not enrolled, the enrollment QR code',
        description: 'Not enrolled: `enrollUri` (otpauth://) and `enrollQrCode` (PNG data URL) for an authenticator app; confirm with POST /auth/mfa/enroll.',
        security,
        response: {
          200: Type.Object({ enrolled: Type.Boolean(), enrollUri: Type.Optional(Type.String()), enrollQrCode: Type.Optional(Type.String()) }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const [user, project] = await Promise.all([core.users.byId(principal.userId), core.projects.get(principal.projectId)]);
      const status = await mfa.status(user, project);
      return status.enrolled ? { enrolled: true } : { enrolled: false, enrollUri: status.uri, enrollQrCode: status.qrCode };
    },
  );

  app.post(
    '/auth/mfa/enroll',
    {
      preHandler: bearerGuard(core),
      schema: {
        tags: ['ovok'],
        summary: 'Confirm MFA enrollment with a code',
        description: 'Answers the 10 one-time recovery codes; they are shown only this once.',
        security,
        body: Type.Object({ token: Type.String({ minLength: 6, maxLength: 10 }) }),
        response: { 200: Type.Object({ enrolled: Type.Literal(true), recoveryCodes: Type.Array(Type.String()) }), ...errorResponses },
      },
    },
    async (request) => {
      const user = await core.users.byId(principalOf(request).userId);
      const recoveryCodes = await mfa.confirm(user, request.body.token, sessionContext(request));
      return { enrolled: true as const, recoveryCodes };
    },
  );

  app.post(
    '/auth/mfa/verify',
    {
      schema: {
        tags: ['ovok'],
        summary: 'Second login step: the challenge and a code',
        body: Type.Object({ login: Type.String({ minLength: 1, maxLength: 200 }), token: Code }),
        response: { 200: RegisterLoginResponse, ...errorResponses },
      },
    },
    async (request) => {
      const context = sessionContext(request);
      const result = await mfa.complete(request.body.login, request.body.token, context);
      const project = await core.projects.get(result.projectId);
      const client = result.clientId === null ? await core.projects.primaryClient(project.id) : await core.projects.client(result.clientId);
      const withClient = { ...context, clientId: client.id };
      const profile = await core.users.profileOf(result.user.id);
      const { user, tokens } = await core.auth.signInWithTokens(result.user, profile, project, client, { ...withClient, authMethod: 'password+totp' });
      return answer(tokens, project, profile, user);
    },
  );

  app.post(
    '/auth/mfa/disable',
    {
      preHandler: bearerGuard(core),
      schema: {
        tags: ['ovok'],
        summary: 'Turn MFA off',
        description: 'Proof: `token` (a current or recovery code) or `password`.',
        security,
        body: Type.Object({ token: Type.Optional(Code), password: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })) }),
        response: { 200: AllOk, ...errorResponses },
      },
    },
    async (request, reply) => {
      const user = await core.users.byId(principalOf(request).userId);
      await mfa.disable(user, { code: request.body.token, password: request.body.password }, sessionContext(request));
      return sendAllOk(reply);
    },
  );

  app.post(
    '/auth/mfa/recovery-codes',
    {
      preHandler: bearerGuard(core),
      schema: {
        tags: ['ovok'],
        summary: 'Replace the recovery codes (Gatehouse addition)',
        security,
        body: Type.Object({ token: Type.String({ minLength: 6, maxLength: 10 }) }),
        response: { 200: Type.Object({ recoveryCodes: Type.Array(Type.String()) }), ...errorResponses },
      },
    },
    async (request) => {
      const user = await core.users.byId(principalOf(request).userId);
      return { recoveryCodes: await mfa.regenerateRecoveryCodes(user, request.body.token) };
    },
  );
}
