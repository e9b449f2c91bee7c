import type { FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import { Type } from 'typebox';
import { ErrorCode, GatehouseError } from '../../core/errors.ts';
import type { GatehouseApi } from '../../core/use-cases/index.ts';
import { principalOf } from '../../http/authenticate.ts';
import { sessionContext } from '../../http/request-context.ts';
import { limits } from '../../http/route-limits.ts';
import { endpoint } from '../../http/routes.ts';
import { rulesSchema } from './framework/rule-schema.ts';
import { laravelInput, validate, type Rules } from './framework/validation.ts';
import { signedIn, type PixelmoverDeps } from './guard.ts';
import { MessageResponse, errorResponses } from './schemas.ts';

/**
 * Fortify's two-factor routes (/v1/user/two-factor-*). Differences: recovery codes are stored
 * hashed, so they are answered when enrollment is confirmed and when they are regenerated,
 * never read back later; turning 2FA off needs a `code` or the `current_password`.
 */
const tags = ['pixelmover'];
const RecoveryCodes = Type.Array(Type.String());
const CODE_RULES: Rules = { code: 'required|string' };
const DISABLE_RULES: Rules = { code: 'nullable|string', current_password: 'nullable|string' };

/** The pending enrollment; Laravel's 422 once it is confirmed. */
async function pending(api: GatehouseApi, request: FastifyRequest) {
  const status = await api.mfa.status(principalOf(request));
  if (status.enrolled)
    throw new GatehouseError(ErrorCode.Validation, 'Two factor authentication is already enabled.', {
      fields: [{ field: 'code', message: 'Two factor authentication is already enabled.' }],
    });
  return status;
}

/** POST /v1/user/two-factor-authentication: starts enrollment. */
export const enableTwoFactor = ({ api, cookieName }: PixelmoverDeps) =>
  endpoint({
    schema: {
      tags,
      summary: 'two-factor.enable',
      description: 'Starts enrollment: a new secret, shown by two-factor-qr-code and two-factor-secret-key.',
      response: { 200: MessageResponse, ...errorResponses },
    },
    config: limits('mfa'),
    preHandler: signedIn(api, cookieName),
    handler: async (request) => {
      await pending(api, request);
      return { success: true, message: 'two-factor-authentication-enabled' };
    },
  });

/** GET /v1/user/two-factor-qr-code */
export const twoFactorQrCode = ({ api, cookieName }: PixelmoverDeps) =>
  endpoint({
    schema: {
      tags,
      summary: 'two-factor.qr-code',
      response: { 200: Type.Object({ svg: Type.String(), url: Type.String() }), ...errorResponses },
    },
    preHandler: signedIn(api, cookieName),
    handler: async (request) => {
      const status = await pending(api, request);
      return { svg: await QRCode.toString(status.uri, { type: 'svg' }), url: status.uri };
    },
  });

/** GET /v1/user/two-factor-secret-key */
export const twoFactorSecretKey = ({ api, cookieName }: PixelmoverDeps) =>
  endpoint({
    schema: { tags, summary: 'two-factor.secret-key', response: { 200: Type.Object({ secretKey: Type.String() }), ...errorResponses } },
    preHandler: signedIn(api, cookieName),
    handler: async (request) => ({ secretKey: (await pending(api, request)).secret }),
  });

/** POST /v1/user/confirmed-two-factor-authentication: confirms with a code; answers the recovery codes once. */
export const confirmTwoFactor = ({ api, cookieName }: PixelmoverDeps) =>
  endpoint({
    schema: {
      tags,
      summary: 'two-factor.confirm',
      description: 'Confirms with a code; answers the recovery codes (shown only now).',
      body: rulesSchema(CODE_RULES),
      response: { 200: RecoveryCodes, ...errorResponses },
    },
    config: limits('mfa'),
    preHandler: signedIn(api, cookieName),
    handler: async (request) => {
      const input = await validate(laravelInput(request.body), CODE_RULES);
      return api.mfa.confirm(principalOf(request), String(input.code), sessionContext(request));
    },
  });

/** POST /v1/user/two-factor-recovery-codes: new recovery codes; needs a current code. */
export const twoFactorRecoveryCodes = ({ api, cookieName }: PixelmoverDeps) =>
  endpoint({
    schema: {
      tags,
      summary: 'two-factor.regenerate-recovery-codes',
      description: 'New recovery codes (the old ones stop working); needs a current `code`.',
      body: rulesSchema(CODE_RULES),
      response: { 200: RecoveryCodes, ...errorResponses },
    },
    config: limits('mfa'),
    preHandler: signedIn(api, cookieName),
    handler: async (request) => {
      const input = await validate(laravelInput(request.body), CODE_RULES);
      return api.mfa.regenerateRecoveryCodes(principalOf(request), String(input.code));
    },
  });

/** DELETE /v1/user/two-factor-authentication: turns 2FA off with a code or the current password. */
export const disableTwoFactor = ({ api, cookieName }: PixelmoverDeps) =>
  endpoint({
    schema: {
      tags,
      summary: 'two-factor.disable',
      body: rulesSchema(DISABLE_RULES),
      response: { 200: MessageResponse, ...errorResponses },
    },
    config: limits('mfa'),
    preHandler: signedIn(api, cookieName),
    handler: async (request) => {
      const input = laravelInput(request.body);
      const code = typeof input.code === 'string' ? input.code : undefined;
      const password = typeof input.current_password === 'string' ? input.current_password : undefined;
      if (code === undefined && password === undefined) await validate(input, { current_password: 'required|string' });
      try {
        await api.mfa.disable(principalOf(request), { code, password }, sessionContext(request));
      } catch (error) {
        if (error instanceof GatehouseError && error.code === ErrorCode.WrongPassword) {
          const message = 'The provided password is incorrect.';
          throw new GatehouseError(ErrorCode.Validation, message, { fields: [{ field: 'current_password', message }] });
        }
        throw error;
      }
      return { success: true, message: 'two-factor-authentication-disabled' };
    },
  });
