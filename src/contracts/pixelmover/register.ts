import type { PixelmoverDeps } from './guard.ts';
import { setSessionCookie } from './guard.ts';
import { sessionContext } from '../../http/request-context.ts';
import { limits } from '../../http/route-limits.ts';
import { endpoint } from '../../http/routes.ts';
import { rulesSchema } from './framework/rule-schema.ts';
import { laravelInput, validate, type Rules } from './framework/validation.ts';
import { RegisterResponse, errorResponses } from './schemas.ts';
import { laravelDate, sessionView, subscriptionView, userView } from './views.ts';

const RULES: Rules = {
  name: 'required|string|max:255',
  email: 'required|string|email|max:255|unique',
  password: 'required|string|min:8|confirmed',
  company: 'nullable|string|max:255',
  timezone: 'nullable|string|timezone',
};

/** The name of the API key every new account gets. */
const FIRST_KEY_NAME = 'Default';

/** POST /v1/auth/register: the account, its first (primary) API key and a session, as Laravel's Auth::login. */
export const register = ({ api, cookieName }: PixelmoverDeps) =>
  endpoint({
    schema: {
      tags: ['pixelmover'],
      summary: 'auth.register',
      body: rulesSchema(RULES, { title: 'RegisterRequest' }),
      response: { 201: RegisterResponse, ...errorResponses },
    },
    config: limits('register', { account: ['email'], shed: true }),
    handler: async (request, reply) => {
      const input = laravelInput(request.body);
      await validate(input, RULES, { unique: async (_field, value) => api.registration.emailTaken(request.tenant, String(value)) });
      const {
        user,
        cookie,
        apiKey: key,
      } = await api.registration.register({
        tenant: request.tenant,
        account: {
          email: String(input.email),
          password: String(input.password),
          firstName: String(input.name),
          lastName: '',
          company: typeof input.company === 'string' ? input.company : null,
          timezone: typeof input.timezone === 'string' ? input.timezone : 'UTC',
        },
        session: { kind: 'cookie', remember: false },
        apiKey: { name: FIRST_KEY_NAME },
        context: sessionContext(request),
      });
      setSessionCookie(cookieName, request, reply, cookie.session, cookie.secret);
      return reply.code(201).send({
        success: true,
        data: {
          user: userView(user),
          api_key: {
            key: key.key,
            name: key.apiKey.name,
            is_primary: key.apiKey.is_primary,
            created_at: laravelDate(key.apiKey.created_at),
          },
          session: sessionView(cookie.session),
          subscription: subscriptionView(user),
        },
      });
    },
  });
