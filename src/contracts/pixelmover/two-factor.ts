import type { FastifyInstance } from 'fastify';
import QRCode from 'qrcode';
import { Type } from 'typebox';
import { ErrorCode, GatehouseError } from '../../core/errors.ts';
import type { Core } from '../../core/index.ts';
import { principalOf } from '../../http/auth-guard.ts';
import { sessionContext } from '../../http/request-context.ts';
import { pixelmoverGuard } from './guard.ts';
import { MessageResponse, errorResponses } from './schemas.ts';
import { laravelInput, validate } from './validation.ts';

const tags = ['pixelmover'];
const RecoveryCodes = Type.Array(Type.String());

/**
 * Fortify's two-factor routes. Differences: recovery codes are stored hashed, so they are
 * answered when enrollment is confirmed and when they are regenerated, never read back later;
 * turning 2FA off needs a `code` or the `current_password`.
 */
export function registerTwoFactorRoutes(app: FastifyInstance, core: Core): void {
  const { mfa } = core.lifecycle;
  const guard = pixelmoverGuard(core);

  const pending = async (userId: string, projectId: string) => {
    const [user, project] = await Promise.all([core.users.byId(userId), core.projects.get(projectId)]);
    const status = await mfa.status(user, project);
    if (status.enrolled) throw new GatehouseError(ErrorCode.Validation, 'Two factor authentication is already enabled.', { fields: [{ field: 'code', message: 'Two factor authentication is already enabled.' }] });
    return status;
  };

  app.post(
    '/user/two-factor-authentication',
    { preHandler: guard, schema: { tags, summary: 'two-factor.enable', description: 'Starts enrollment: a new secret, shown by two-factor-qr-code and two-factor-secret-key.', response: { 200: MessageResponse, ...errorResponses } } },
    async (request) => {
      const principal = principalOf(request);
      await pending(principal.userId, principal.projectId);
      return { success: true, message: 'two-factor-authentication-enabled' };
    },
  );

  app.get(
    '/user/two-factor-qr-code',
    { preHandler: guard, schema: { tags, summary: 'two-factor.qr-code', response: { 200: Type.Object({ svg: Type.String(), url: Type.String() }), ...errorResponses } } },
    async (request) => {
      const principal = principalOf(request);
      const status = await pending(principal.userId, principal.projectId);
      return { svg: await QRCode.toString(status.uri, { type: 'svg' }), url: status.uri };
    },
  );

  app.get(
    '/user/two-factor-secret-key',
    { preHandler: guard, schema: { tags, summary: 'two-factor.secret-key', response: { 200: Type.Object({ secretKey: Type.String() }), ...errorResponses } } },
    async (request) => {
      const principal = principalOf(request);
      return { secretKey: (await pending(principal.userId, principal.projectId)).secret };
    },
  );

  app.post(
    '/user/confirmed-two-factor-authentication',
    {
      preHandler: guard,
      schema: { tags, summary: 'two-factor.confirm', description: 'Confirms with a code; answers the recovery codes (shown only now).', body: Type.Object({ code: Type.String() }), response: { 200: RecoveryCodes, ...errorResponses } },
    },
    async (request) => {
      const input = await validate(laravelInput(request.body), { code: 'required|string' });
      const user = await core.users.byId(principalOf(request).userId);
      return mfa.confirm(user, String(input.code), sessionContext(request));
    },
  );

  app.post(
    '/user/two-factor-recovery-codes',
    {
      preHandler: guard,
      schema: { tags, summary: 'two-factor.regenerate-recovery-codes', description: 'New recovery codes (the old ones stop working); needs a current `code`.', body: Type.Object({ code: Type.String() }), response: { 200: RecoveryCodes, ...errorResponses } },
    },
    async (request) => {
      const input = await validate(laravelInput(request.body), { code: 'required|string' });
      const user = await core.users.byId(principalOf(request).userId);
      return mfa.regenerateRecoveryCodes(user, String(input.code));
    },
  );

  app.delete(
    '/user/two-factor-authentication',
    {
      preHandler: guard,
      schema: { tags, summary: 'two-factor.disable', body: Type.Object({ code: Type.Optional(Type.String()), current_password: Type.Optional(Type.String()) }), response: { 200: MessageResponse, ...errorResponses } },
    },
    async (request) => {
      const input = laravelInput(request.body);
      const code = typeof input.code === 'string' ? input.code : undefined;
      const password = typeof input.current_password === 'string' ? input.current_password : undefined;
      if (code === undefined && password === undefined) await validate(input, { current_password: 'required|string' });
      const user = await core.users.byId(principalOf(request).userId);
      try {
        await mfa.disable(user, { code, password }, sessionContext(request));
      } catch (error) {
        if (error instanceof GatehouseError && error.code === ErrorCode.WrongPassword) {
          const message = 'The provided password is incorrect.';
          throw new GatehouseError(ErrorCode.Validation, message, { fields: [{ field: 'current_password', message }] });
        }
        throw error;
      }
      return { success: true, message: 'two-factor-authentication-disabled' };
    },
  );
}
