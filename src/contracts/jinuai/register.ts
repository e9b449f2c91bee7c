import { ErrorCode, GatehouseError } from '../../core/errors.ts';
import type { GatehouseApi } from '../../core/use-cases/index.ts';
import { sessionContext } from '../../http/request-context.ts';
import { limits } from '../../http/route-limits.ts';
import { endpoint } from '../../http/routes.ts';
import { RegisterForm, UserPublic, errorResponses } from './schemas.ts';
import { publicUser } from './views.ts';

/** POST /api/v1/auth/register: a form; answers the new user (201), no session. */
export const register = (api: GatehouseApi) =>
  endpoint({
    schema: {
      tags: ['jinuai'],
      summary: 'Register',
      consumes: ['multipart/form-data', 'application/x-www-form-urlencoded'],
      body: RegisterForm,
      response: { 201: UserPublic, ...errorResponses },
    },
    config: limits('register', { account: ['email'], shed: true }),
    handler: async (request, reply) => {
      const form = request.body;
      if (form.password !== form.password_confirm) throw new GatehouseError(ErrorCode.Validation, 'Passwords do not match.');
      const { user } = await api.registration.register({
        tenant: request.tenant,
        account: {
          email: form.email.toLowerCase(),
          password: form.password,
          firstName: form.name,
          lastName: '',
          account: form.account.toLowerCase(),
          emailVerified: true,
        },
        context: sessionContext(request),
      });
      return reply.code(201).send(publicUser(user));
    },
  });
