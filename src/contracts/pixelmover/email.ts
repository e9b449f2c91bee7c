import { Type } from 'typebox';
import { ErrorCode, GatehouseError } from '../../core/errors.ts';
import { principalOf } from '../../http/authenticate.ts';
import { limits } from '../../http/route-limits.ts';
import { endpoint } from '../../http/routes.ts';
import { signedIn, type PixelmoverDeps } from './guard.ts';
import { MessageResponse, errorResponses } from './schemas.ts';

const VERIFY_LINK = '{base}/email/verify/{id}/{secret}';

/** POST /v1/email/verification-notification: sends the verification link again. */
export const verificationNotification = ({ api, cookieName }: PixelmoverDeps) =>
  endpoint({
    schema: {
      tags: ['pixelmover'],
      summary: 'verification.send',
      description: 'Sends the verification link again (at most once a minute; 429 sooner). 202.',
      response: { 202: MessageResponse, ...errorResponses },
    },
    config: limits('password-reset'),
    preHandler: signedIn(api, cookieName),
    handler: async (request, reply) => {
      const outcome = await api.recovery.resendVerificationFor(principalOf(request), VERIFY_LINK);
      const message = outcome === 'already-verified' ? 'Your email address is already verified.' : 'verification-link-sent';
      return reply.code(202).send({ success: true, message });
    },
  });

/** GET /v1/email/verify/:id/:hash: the link sent by email. */
export const verifyEmail = ({ api }: PixelmoverDeps) =>
  endpoint({
    schema: {
      tags: ['pixelmover'],
      summary: 'verification.verify',
      description: 'The link sent by email (registration links end in /verify-email/{id}/{secret}: pass them here).',
      params: Type.Object({ id: Type.String(), hash: Type.String() }),
      response: { 200: MessageResponse, ...errorResponses },
    },
    config: limits('password-reset'),
    handler: async (request) => {
      const { id, hash } = request.params;
      try {
        await api.recovery.verifyEmail({ id, secret: hash });
      } catch (error) {
        // Laravel refuses a bad or expired signed link with a 403.
        if (error instanceof GatehouseError && error.code === ErrorCode.InvalidVerificationToken)
          throw new GatehouseError(ErrorCode.Forbidden, 'Invalid signature.');
        throw error;
      }
      return { success: true, message: 'Your email address has been verified.' };
    },
  });
