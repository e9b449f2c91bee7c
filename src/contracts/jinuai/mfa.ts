import { Type } from 'typebox';
import type { GatehouseApi } from '../../core/use-cases/index.ts';
import { principalOf } from '../../http/authenticate.ts';
import { sessionContext } from '../../http/request-context.ts';
import { limits } from '../../http/route-limits.ts';
import { endpoint } from '../../http/routes.ts';
import { bearer, signedIn } from './guard.ts';
import { Message, TokenPairResponse, errorResponses } from './schemas.ts';

/**
 * TOTP second factor (/users/me/mfa*, and the second login step /auth/mfa/verify). The template
 * has none, so these follow its conventions: snake_case JSON, `/users/me/...` for the signed-in
 * user, `{"message": ...}` answers.
 */

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

/** GET /api/v1/users/me/mfa: enrolled, or the enrollment QR code. */
export const mfaStatus = (api: GatehouseApi) =>
  endpoint({
    schema: {
      tags: ['jinuai'],
      summary: 'MFA status; when not enrolled, the enrollment QR code',
      security: bearer,
      response: {
        200: Type.Object({
          enrolled: Type.Boolean(),
          otpauth_uri: Type.Optional(Type.String()),
          qr_code: Type.Optional(Type.String({ description: 'PNG data URL' })),
        }),
        ...errorResponses,
      },
    },
    preHandler: signedIn(api),
    handler: async (request) => {
      const status = await api.mfa.status(principalOf(request));
      return status.enrolled ? { enrolled: true } : { enrolled: false, otpauth_uri: status.uri, qr_code: status.qrCode };
    },
  });

/** POST /api/v1/users/me/mfa/enable: confirms enrollment; answers the recovery codes once. */
export const mfaEnable = (api: GatehouseApi) =>
  endpoint({
    schema: {
      tags: ['jinuai'],
      summary: 'Confirm MFA enrollment with a code; answers the recovery codes (shown once)',
      security: bearer,
      body: Type.Object({ code: Type.String({ minLength: 6, maxLength: 10 }) }, { title: 'MfaCode' }),
      response: { 200: Type.Object({ recovery_codes: Type.Array(Type.String()) }), ...errorResponses },
    },
    config: limits('mfa'),
    preHandler: signedIn(api),
    handler: async (request) => ({
      recovery_codes: await api.mfa.confirm(principalOf(request), request.body.code, sessionContext(request)),
    }),
  });

/** POST /api/v1/users/me/mfa/disable: turns MFA off with a code or the current password. */
export const mfaDisable = (api: GatehouseApi) =>
  endpoint({
    schema: {
      tags: ['jinuai'],
      summary: 'Turn MFA off; proof is a code or the current password',
      security: bearer,
      body: Type.Object(
        { code: Type.Optional(Code), current_password: Type.Optional(Type.String({ maxLength: 1024 })) },
        { title: 'MfaDisable' },
      ),
      response: { 200: Message, ...errorResponses },
    },
    config: limits('mfa'),
    preHandler: signedIn(api),
    handler: async (request) => {
      await api.mfa.disable(
        principalOf(request),
        { code: request.body.code, password: request.body.current_password },
        sessionContext(request),
      );
      return { message: 'MFA disabled' };
    },
  });

/** POST /api/v1/auth/mfa/verify: the second login step, the mfa_token and a code, for tokens. */
export const mfaVerify = (api: GatehouseApi) =>
  endpoint({
    schema: {
      tags: ['jinuai'],
      summary: 'Second login step: the mfa_token from login and a code',
      body: Type.Object({ mfa_token: Type.String({ maxLength: 200 }), code: Code }, { title: 'MfaVerify' }),
      response: { 200: TokenPairResponse, ...errorResponses },
    },
    config: limits('mfa'),
    handler: async (request) => {
      const { tokens } = await api.signIn.withMfaCode({
        challenge: request.body.mfa_token,
        code: request.body.code,
        tenant: request.tenant,
        session: { kind: 'tokens' },
        context: sessionContext(request),
      });
      return { access_token: tokens.accessToken, refresh_token: tokens.refreshToken, token_type: 'bearer' as const };
    },
  });
