import { principalOf } from '../../http/authenticate.ts';
import { endpoint } from '../../http/routes.ts';
import { signedIn, type PixelmoverDeps } from './guard.ts';
import { MeResponse, errorResponses } from './schemas.ts';
import { subscriptionView, userView } from './views.ts';

/** GET /v1/auth/me: the signed-in user and plan. */
export const me = ({ api, cookieName }: PixelmoverDeps) =>
  endpoint({
    schema: { tags: ['pixelmover'], summary: 'auth.me', response: { 200: MeResponse, ...errorResponses } },
    preHandler: signedIn(api, cookieName),
    handler: async (request) => {
      const user = await api.account.user(principalOf(request));
      return { success: true, data: { user: userView(user), subscription: subscriptionView(user) } };
    },
  });
