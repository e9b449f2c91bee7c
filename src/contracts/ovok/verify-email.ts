import { Type } from 'typebox';
import type { GatehouseApi } from '../../core/use-cases/index.ts';
import { limits } from '../../http/route-limits.ts';
import { endpoint } from '../../http/routes.ts';
import { AllOk, ClientOrProject, Email, sendAllOk } from './outcomes.ts';
import { errorResponses } from './schemas.ts';

const ok = { 200: AllOk, ...errorResponses };
const VERIFY_LINK = '{base}/verify-email/{id}/{secret}';

/** POST /auth/verify-email: the emailed id and secret prove the address. */
export const verifyEmail = (api: GatehouseApi) =>
  endpoint({
    schema: {
      tags: ['ovok'],
      summary: 'Verify the email address with the emailed id and secret',
      description: 'The link sent at registration ends in /verify-email/{id}/{secret}.',
      body: Type.Object({
        id: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
        secret: Type.String({ minLength: 1, maxLength: 200 }),
      }),
      response: ok,
    },
    config: limits('password-reset'),
    handler: async (request, reply) => {
      await api.recovery.verifyEmail({ id: request.body.id, secret: request.body.secret });
      return sendAllOk(reply);
    },
  });

/** POST /auth/resend-verification: another link; the answer is the same for any address. */
export const resendVerification = (api: GatehouseApi) =>
  endpoint({
    schema: {
      tags: ['ovok'],
      summary: 'Send the verification email again',
      description: 'Always answers allOk; at most one email a minute per account.',
      body: Type.Object({ email: Email, ...ClientOrProject }),
      response: ok,
    },
    config: limits('password-reset', { account: ['email'] }),
    handler: async (request, reply) => {
      await api.recovery.resendVerification(request.tenant, request.body.email, VERIFY_LINK);
      return sendAllOk(reply);
    },
  });
