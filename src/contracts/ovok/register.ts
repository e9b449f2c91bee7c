import type { GatehouseApi } from '../../core/use-cases/index.ts';
import { sessionContext } from '../../http/request-context.ts';
import { limits } from '../../http/route-limits.ts';
import { endpoint } from '../../http/routes.ts';
import { RegisterBody, RegisterLoginResponse, errorResponses } from './schemas.ts';
import { signedInAnswer } from './views.ts';

/** POST /auth/register: a new account in the client's project, signed in with tokens. */
export const register = (api: GatehouseApi) =>
  endpoint({
    schema: {
      tags: ['ovok'],
      summary: 'Register an account',
      body: RegisterBody,
      response: { 200: RegisterLoginResponse, ...errorResponses },
    },
    config: limits('register', { account: ['email'], shed: true }),
    handler: async (request) => {
      const { email, password, name, surname, type } = request.body;
      const registered = await api.registration.register({
        tenant: request.tenant,
        account: { email, password, firstName: name, lastName: surname, ...(type && { profileType: type }) },
        session: { kind: 'tokens' },
        context: sessionContext(request),
      });
      return signedInAnswer(registered);
    },
  });
