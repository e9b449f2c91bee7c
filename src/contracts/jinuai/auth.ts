import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { ErrorCode, GatehouseError } from '../../core/errors.ts';
import type { Core } from '../../core/index.ts';
import { sessionContext } from '../../http/request-context.ts';
import { servedProject } from './guard.ts';
import {
  AccessTokenResponse,
  LoginBody,
  LoginRequest,
  OAuth2PasswordForm,
  RefreshRequest,
  RegisterForm,
  TokenPairResponse,
  UserPublic,
  errorResponses,
} from './schemas.ts';
import { MfaRequiredResponse } from './mfa.ts';
import { publicUser } from './views.ts';

type OAuth2Form = Static<typeof OAuth2PasswordForm>;

export function registerAuthRoutes(scope: FastifyInstance, core: Core): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/auth/register',
    {
      schema: {
        tags: ['jinuai'],
        summary: 'Register',
        consumes: ['multipart/form-data', 'application/x-www-form-urlencoded'],
        body: RegisterForm,
        response: { 201: UserPublic, ...errorResponses },
      },
    },
    async (request, reply) => {
      const form = request.body;
      if (form.password !== form.password_confirm) throw new GatehouseError(ErrorCode.Validation, 'Passwords do not match.');
      const project = await servedProject(core);
      const email = form.email.toLowerCase();
      const account = form.account.toLowerCase();
      // Checked in JinuAI's order; the unique indexes still settle a race between two requests.
      if ((await core.users.byEmail(project.id, email)) !== undefined) throw new GatehouseError(ErrorCode.EmailTaken, 'Email already registered');
      if ((await core.users.byAccount(project.id, account)) !== undefined) throw new GatehouseError(ErrorCode.AccountTaken, 'Account name already taken');
      const client = await core.projects.primaryClient(project.id);
      const { user } = await core.auth.register(
        project,
        { email, password: form.password, firstName: form.name, lastName: '', account, emailVerified: true },
        { ...sessionContext(request), clientId: client.id },
      );
      return reply.code(201).send(publicUser(user));
    },
  );

  app.post(
    '/auth/login',
    {
      schema: {
        tags: ['jinuai'],
        summary: 'Login',
        description:
          'JSON `{email, password}`, or the OAuth2 password form (`grant_type=password&username=<email>&password=...`) that Swagger UI and OAuth2 tooling send.',
        consumes: ['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data'],
        body: LoginBody,
        response: { 200: Type.Union([TokenPairResponse, MfaRequiredResponse]), ...errorResponses },
      },
    },
    async (request) => {
      const body = request.body;
      const credentials = 'username' in body ? { email: (body as OAuth2Form).username, password: body.password } : (body as Static<typeof LoginRequest>);
      const project = await servedProject(core);
      const client = await core.projects.primaryClient(project.id);
      const context = { ...sessionContext(request), clientId: client.id };
      const checked = await core.auth.checkPassword(project, credentials.email, credentials.password, context);
      // With MFA enrolled, a correct password earns a challenge, finished at POST /auth/mfa/verify.
      const challenge = await core.auth.secondFactor(checked, client.id);
      if (challenge !== undefined) return { mfa_required: true as const, mfa_token: challenge, token_type: 'mfa' as const };
      const { tokens } = await core.auth.signInWithTokens(checked.user, checked.profile, project, client, context);
      return { access_token: tokens.accessToken, refresh_token: tokens.refreshToken, token_type: 'bearer' as const };
    },
  );

  app.post(
    '/auth/token',
    {
      schema: {
        tags: ['jinuai'],
        summary: 'Refresh the access token',
        description:
          'Refresh tokens rotate: the one sent is spent and the answer carries its replacement in `refresh_token`. Reusing a spent token ends the session (after a short grace window for retries).',
        body: RefreshRequest,
        response: { 200: AccessTokenResponse, ...errorResponses },
      },
    },
    async (request) => {
      const pair = await core.auth.refresh(request.body.refresh_token, sessionContext(request));
      const project = await servedProject(core);
      if (pair.claims.project_id !== project.id) throw new GatehouseError(ErrorCode.InvalidRefreshToken, 'Refresh token belongs to another project');
      return { access_token: pair.accessToken, token_type: 'bearer' as const, refresh_token: pair.refreshToken };
    },
  );
}
