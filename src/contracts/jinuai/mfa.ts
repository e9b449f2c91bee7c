import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ErrorCode, GatehouseError } from '../../core/errors.ts';
import type { Core } from '../../core/index.ts';
import { principalOf } from '../../http/auth-guard.ts';
import { sessionContext } from '../../http/request-context.ts';
import { jinuaiGuard, servedProject } from './guard.ts';
import { Message, TokenPairResponse, errorResponses } from './schemas.ts';

/** What login answers instead of tokens when the user has MFA; finish at POST /auth/mfa/verify. */
export const MfaRequiredResponse = Type.Object(
  {
    mfa_required: Type.Literal(true),
    mfa_token: Type.String({ description: 'Send it with a code to POST /api/v1/auth/mfa/verify; valid 5 minutes, 5 tries.' }),
    token_type: Type.Literal('mfa'),
  },
  { title: 'MfaRequired' },
);

const Code = Type.String({ minLength: 6, maxLength: 20, description: 'A 6-digit authenticator code, or a recovery code.' });
const bearer = [{ bearer: [] }];

/**
 * TOTP second factor. The template has none, so these follow its conventions: snake_case JSON,
 * `/users/me/...` for the signed-in user, `{"message": ...}` answers.
 */
export function registerMfaRoutes(scope: FastifyInstance, core: Core): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { mfa } = core.lifecycle;
  const guard = jinuaiGuard(core);

  app.get(
    '/users/me/mfa',
    {
      preHandler: guard,
      schema: {
        tags: ['jinuai'],
        summary: 'MFA status; when not enrolled, the enrollment QR code',
        security: bearer,
        response: {
          200: Type.Object({ enrolled: Type.Boolean(), otpauth_uri: Type.Optional(Type.String()), qr_code: Type.Optional(Type.String({ description: 'PNG data URL' })) }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const [user, project] = await Promise.all([core.users.byId(principal.userId), core.projects.get(principal.projectId)]);
      const status = await mfa.status(user, project);
      return status.enrolled ? { enrolled: true } : { enrolled: false, otpauth_uri: status.uri, qr_code: status.qrCode };
    },
  );

  app.post(
    '/users/me/mfa/enable',
    {
      preHandler: guard,
      schema: {
        tags: ['jinuai'],
        summary: 'Confirm MFA enrollment with a code; answers the recovery codes (shown once)',
        security: bearer,
        body: Type.Object({ code: Type.String({ minLength: 6, maxLength: 10 }) }, { title: 'MfaCode' }),
        response: { 200: Type.Object({ recovery_codes: Type.Array(Type.String()) }), ...errorResponses },
      },
    },
    async (request) => {
      const user = await core.users.byId(principalOf(request).userId);
      return { recovery_codes: await mfa.confirm(user, request.body.code, sessionContext(request)) };
    },
  );

  app.post(
    '/users/me/mfa/disable',
    {
      preHandler: guard,
      schema: {
        tags: ['jinuai'],
        summary: 'Turn MFA off; proof is a code or the current password',
        security: bearer,
        body: Type.Object({ code: Type.Optional(Code), current_password: Type.Optional(Type.String({ maxLength: 1024 })) }, { title: 'MfaDisable' }),
        response: { 200: Message, ...errorResponses },
      },
    },
    async (request) => {
      const user = await core.users.byId(principalOf(request).userId);
      await mfa.disable(user, { code: request.body.code, password: request.body.current_password }, sessionContext(request));
      return { message: 'MFA disabled' };
    },
  );

  app.post(
    '/auth/mfa/verify',
    {
      schema: {
        tags: ['jinuai'],
        summary: 'Second login step: the mfa_token from login and a code',
        body: Type.Object({ mfa_token: Type.String({ maxLength: 200 }), code: Code }, { title: 'MfaVerify' }),
        response: { 200: TokenPairResponse, ...errorResponses },
      },
    },
    async (request) => {
      const context = sessionContext(request);
      const result = await mfa.complete(request.body.mfa_token, request.body.code, context);
      const project = await servedProject(core);
      if (result.projectId !== project.id) throw new GatehouseError(ErrorCode.InvalidMfaCode, 'MFA challenge of another project');
      const client = result.clientId === null ? await core.projects.primaryClient(project.id) : await core.projects.client(result.clientId);
      const withClient = { ...context, clientId: client.id };
      const profile = await core.users.profileOf(result.user.id);
      const { tokens } = await core.auth.signInWithTokens(result.user, profile, project, client, { ...withClient, authMethod: 'password+totp' });
      return { access_token: tokens.accessToken, refresh_token: tokens.refreshToken, token_type: 'bearer' as const };
    },
  );
}
