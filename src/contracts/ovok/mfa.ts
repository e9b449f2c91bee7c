import { Type } from 'typebox';
import type { GatehouseApi } from '../../core/use-cases/index.ts';
import { principalOf } from '../../http/authenticate.ts';
import { sessionContext } from '../../http/request-context.ts';
import { limits } from '../../http/route-limits.ts';
import { endpoint } from '../../http/routes.ts';
import { signedIn } from './guard.ts';
import { AllOk, sendAllOk } from './outcomes.ts';
import { RegisterLoginResponse, errorResponses } from './schemas.ts';
import { signedInAnswer } from './views.ts';

/** TOTP enrollment and the second login step, on Medplum's /auth/mfa routes. */
const Code = Type.String({ minLength: 6, maxLength: 20, description: 'A 6-digit code from the authenticator app, or a recovery code.' });
const EnrollCode = Type.String({ minLength: 6, maxLength: 10 });
const security = [{ bearer: [] }];

/** GET /auth/mfa/status: enrolled, or the enrollment QR code. */
export const mfaStatus = (api: GatehouseApi) =>
  endpoint({
    schema: {
      tags: ['ovok'],
      summary: 'MFA status; when not enrolled, the enrollment QR code',
      description:
        'Not enrolled: `enrollUri` (otpauth://) and `enrollQrCode` (PNG data URL) for an authenticator app; confirm with POST /auth/mfa/enroll.',
      security,
      response: {
        200: Type.Object({ enrolled: Type.Boolean(), enrollUri: Type.Optional(Type.String()), enrollQrCode: Type.Optional(Type.String()) }),
        ...errorResponses,
      },
    },
    preHandler: signedIn(api),
    handler: async (request) => {
      const status = await api.mfa.status(principalOf(request));
      return status.enrolled ? { enrolled: true } : { enrolled: false, enrollUri: status.uri, enrollQrCode: status.qrCode };
    },
  });

/** POST /auth/mfa/enroll: confirms enrollment with a code; answers the recovery codes once. */
export const mfaEnroll = (api: GatehouseApi) =>
  endpoint({
    schema: {
      tags: ['ovok'],
      summary: 'Confirm MFA enrollment with a code',
      description: 'Answers the 10 one-time recovery codes; they are shown only this once.',
      security,
      body: Type.Object({ token: EnrollCode }),
      response: { 200: Type.Object({ enrolled: Type.Literal(true), recoveryCodes: Type.Array(Type.String()) }), ...errorResponses },
    },
    config: limits('mfa'),
    preHandler: signedIn(api),
    handler: async (request) => ({
      enrolled: true as const,
      recoveryCodes: await api.mfa.confirm(principalOf(request), request.body.token, sessionContext(request)),
    }),
  });

/** POST /auth/mfa/verify: the second login step, the challenge and a code, for tokens. */
export const mfaVerify = (api: GatehouseApi) =>
  endpoint({
    schema: {
      tags: ['ovok'],
      summary: 'Second login step: the challenge and a code',
      body: Type.Object({ login: Type.String({ minLength: 1, maxLength: 200 }), token: Code }),
      response: { 200: RegisterLoginResponse, ...errorResponses },
    },
    config: limits('mfa'),
    handler: async (request) => {
      const { login, token } = request.body;
      return signedInAnswer(
        await api.signIn.withMfaCode({ challenge: login, code: token, session: { kind: 'tokens' }, context: sessionContext(request) }),
      );
    },
  });

/** POST /auth/mfa/disable: turns MFA off with a code or the password. */
export const mfaDisable = (api: GatehouseApi) =>
  endpoint({
    schema: {
      tags: ['ovok'],
      summary: 'Turn MFA off',
      description: 'Proof: `token` (a current or recovery code) or `password`.',
      security,
      body: Type.Object({ token: Type.Optional(Code), password: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })) }),
      response: { 200: AllOk, ...errorResponses },
    },
    config: limits('mfa'),
    preHandler: signedIn(api),
    handler: async (request, reply) => {
      await api.mfa.disable(principalOf(request), { code: request.body.token, password: request.body.password }, sessionContext(request));
      return sendAllOk(reply);
    },
  });

/** POST /auth/mfa/recovery-codes: new recovery codes (Gatehouse addition). */
export const mfaRecoveryCodes = (api: GatehouseApi) =>
  endpoint({
    schema: {
      tags: ['ovok'],
      summary: 'Replace the recovery codes (Gatehouse addition)',
      security,
      body: Type.Object({ token: EnrollCode }),
      response: { 200: Type.Object({ recoveryCodes: Type.Array(Type.String()) }), ...errorResponses },
    },
    config: limits('mfa'),
    preHandler: signedIn(api),
    handler: async (request) => ({ recoveryCodes: await api.mfa.regenerateRecoveryCodes(principalOf(request), request.body.token) }),
  });
