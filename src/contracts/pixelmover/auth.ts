import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { ErrorCode, GatehouseError } from '../../core/errors.ts';
import type { Core } from '../../core/index.ts';
import type { Client, Project } from '../../core/projects.ts';
import type { User } from '../../core/users.ts';
import { principalOf } from '../../http/auth-guard.ts';
import { sessionContext } from '../../http/request-context.ts';
import { clearSessionCookie, pixelmoverGuard, servedProject, setSessionCookie } from './guard.ts';
import {
  LoginBody,
  LoginResponse,
  MeResponse,
  RegisterBody,
  RegisterResponse,
  TwoFactorBody,
  TwoFactorResponse,
  errorResponses,
} from './schemas.ts';
import { laravelInput, validate, type Rules } from './validation.ts';
import { laravelDate, sessionView, subscriptionView, userView } from './views.ts';

const REGISTER_RULES: Rules = {
  name: 'required|string|max:255',
  email: 'required|string|email|max:255|unique',
  password: 'required|string|min:8|confirmed',
  company: 'nullable|string|max:255',
  timezone: 'nullable|string|timezone',
};

const LOGIN_RULES: Rules = { email: 'required|string|email', password: 'required|string', remember: 'nullable|boolean' };

const TWO_FACTOR_RULES: Rules = { challenge: 'required|string', code: 'nullable|string', recovery_code: 'nullable|string', remember: 'nullable|boolean' };

/** The name of the API key every new account gets. */
const FIRST_KEY_NAME = 'Default';

function truthy(value: unknown): boolean {
  return value === true || value === 1 || value === '1';
}

export function registerAuthRoutes(app: FastifyInstance, core: Core): void {
  /** Signs the user in with a browser session and sets its cookie; answers the user as it now is, and the session. */
  const openSession = async (request: FastifyRequest, reply: FastifyReply, user: User, client: Client, remember: boolean) => {
    const { sessions } = core.config;
    const ttlSeconds = remember ? sessions.rememberTtlSeconds : sessions.shortTtlSeconds;
    const signedIn = await core.auth.signInWithCookie(user, client, { remember, ttlSeconds }, sessionContext(request));
    setSessionCookie(core, request, reply, signedIn.session, signedIn.secret);
    return signedIn;
  };

  app.post(
    '/auth/register',
    {
      schema: { tags: ['pixelmover'], summary: 'auth.register', body: RegisterBody, response: { 201: RegisterResponse, ...errorResponses } },
    },
    async (request, reply) => {
      const input = laravelInput(request.body);
      const project = await servedProject(core);
      await validate(input, REGISTER_RULES, { unique: async (_field, value) => (await core.users.byEmail(project.id, String(value))) !== undefined });
      const client = await core.projects.primaryClient(project.id);
      const context = { ...sessionContext(request), clientId: client.id };
      const { user: created } = await core.auth.register(
        project,
        {
          email: String(input.email),
          password: String(input.password),
          firstName: String(input.name),
          lastName: '',
          company: typeof input.company === 'string' ? input.company : null,
          timezone: typeof input.timezone === 'string' ? input.timezone : 'UTC',
        },
        context,
      );
      // Registering signs the new user in (Laravel's Auth::login), with a first, primary API key.
      const { apiKey, key } = await core.apiKeys.create({ userId: created.id, projectId: project.id, name: FIRST_KEY_NAME, primary: true });
      const { user, session } = await openSession(request, reply, created, client, false);
      return reply.code(201).send({
        success: true,
        data: {
          user: userView(user),
          api_key: { key, name: apiKey.name, is_primary: apiKey.is_primary, created_at: laravelDate(apiKey.created_at) },
          session: sessionView(session),
          subscription: subscriptionView(user),
        },
      });
    },
  );

  const signedIn = async (request: FastifyRequest, reply: FastifyReply, user: User, project: Project, remember: boolean) => {
    const client = await core.projects.primaryClient(project.id);
    const { user: current, session } = await openSession(request, reply, user, client, remember);
    return { success: true, data: { user: userView(current), session: sessionView(session), subscription: subscriptionView(current) } };
  };

  app.post(
    '/auth/login',
    {
      schema: {
        tags: ['pixelmover'],
        summary: 'auth.login',
        description:
          'Signs in and sets the session cookie; `remember` picks the long session lifetime. With two-factor authentication on, answers `{two_factor: true, challenge}` instead: finish at `/v1/auth/two-factor-challenge`.',
        body: LoginBody,
        response: { 200: Type.Union([LoginResponse, TwoFactorResponse]), ...errorResponses },
      },
    },
    async (request, reply) => {
      const input = laravelInput(request.body);
      await validate(input, LOGIN_RULES);
      const project = await servedProject(core);
      const client = await core.projects.primaryClient(project.id);
      const checked = await core.auth.checkPassword(project, String(input.email), String(input.password), { ...sessionContext(request), clientId: client.id });
      const challenge = await core.auth.secondFactor(checked, client.id);
      if (challenge !== undefined) return { success: true, data: { two_factor: true, challenge } };
      return signedIn(request, reply, checked.user, project, truthy(input.remember));
    },
  );

  app.post(
    '/auth/two-factor-challenge',
    {
      schema: {
        tags: ['pixelmover'],
        summary: 'auth.two-factor-challenge',
        description: 'Finishes a login that answered `two_factor: true`, with a TOTP `code` or a `recovery_code`.',
        body: TwoFactorBody,
        response: { 200: LoginResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const input = laravelInput(request.body);
      await validate(input, TWO_FACTOR_RULES);
      const code = typeof input.code === 'string' ? input.code : typeof input.recovery_code === 'string' ? input.recovery_code : '';
      const project = await servedProject(core);
      const result = await core.lifecycle.mfa.complete(String(input.challenge), code, sessionContext(request));
      if (result.projectId !== project.id) throw new GatehouseError(ErrorCode.InvalidMfaCode, 'Invalid MFA code');
      return signedIn(request, reply, result.user, project, truthy(input.remember));
    },
  );

  const guard = pixelmoverGuard(core);

  app.post(
    '/auth/logout',
    { preHandler: guard, schema: { tags: ['pixelmover'], summary: 'auth.logout', description: 'Ends the session (cookie or bearer token) and clears the cookie. 204.', response: { 204: Type.Null(), ...errorResponses } } },
    async (request, reply) => {
      const principal = principalOf(request);
      // An API key is not a session: there is nothing to end, the key stays valid.
      if (principal.via !== 'api_key') await core.auth.logout(principal, sessionContext(request));
      clearSessionCookie(core, request, reply);
      return reply.code(204).send();
    },
  );

  app.get(
    '/auth/me',
    { preHandler: guard, schema: { tags: ['pixelmover'], summary: 'auth.me', response: { 200: MeResponse, ...errorResponses } } },
    async (request) => {
      const user = await core.users.cachedById(principalOf(request).userId);
      return { success: true, data: { user: userView(user), subscription: subscriptionView(user) } };
    },
  );
}
