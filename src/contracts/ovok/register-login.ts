import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import type { TokenPair } from '../../core/auth.ts';
import type { Core } from '../../core/index.ts';
import type { Project } from '../../core/projects.ts';
import { displayName, profileReference, type Profile, type User } from '../../core/users.ts';
import { sessionContext } from '../../http/request-context.ts';
import { MfaRequiredResponse } from './outcomes.ts';
import { LoginBody, RegisterBody, RegisterLoginResponse, errorResponses } from './schemas.ts';

type RegisterLogin = Static<typeof RegisterLoginResponse>;

export function answer(tokens: TokenPair, project: Project, profile: Profile, user: User): RegisterLogin {
  return {
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    expiresIn: tokens.expiresIn,
    project: { reference: `Project/${project.id}`, display: project.name },
    profile: { reference: profileReference(profile), display: displayName(user) },
  };
}

export function registerRegisterLoginRoutes(scope: FastifyInstance, core: Core): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/auth/register',
    {
      schema: {
        tags: ['ovok'],
        summary: 'Register an account',
        body: RegisterBody,
        response: { 200: RegisterLoginResponse, ...errorResponses },
      },
    },
    async (request) => {
      const body = request.body;
      const client = await core.projects.client(body.clientId);
      const project = await core.projects.get(client.project_id);
      const context = { ...sessionContext(request), clientId: client.id };
      const { user, profile } = await core.auth.register(
        project,
        { email: body.email, password: body.password, firstName: body.name, lastName: body.surname, ...(body.type && { profileType: body.type }) },
        context,
      );
      const tokens = await core.auth.issueTokens(user, profile, project, client, context);
      return answer(tokens, project, profile, user);
    },
  );

  const login = async (body: Static<typeof LoginBody>, context: ReturnType<typeof sessionContext>): Promise<RegisterLogin | Static<typeof MfaRequiredResponse>> => {
    const client = await core.projects.client(body.clientId);
    const project = await core.projects.get(client.project_id);
    const withClient = { ...context, clientId: client.id };
    const checked = await core.auth.checkPassword(project, body.email, body.password, withClient);
    // With MFA enrolled, a correct password earns a challenge, finished at POST /auth/mfa/verify.
    const challenge = await core.auth.secondFactor(checked, client.id);
    if (challenge !== undefined) return { login: challenge, mfaRequired: true as const };
    const { user, tokens } = await core.auth.signInWithTokens(checked.user, checked.profile, project, client, withClient);
    return answer(tokens, project, checked.profile, user);
  };

  const loginSchema = {
    tags: ['ovok'],
    summary: 'Login',
    description: 'Exchanges email and password for an access token (1 hour) and a refresh token.',
    body: LoginBody,
    response: { 200: Type.Union([RegisterLoginResponse, MfaRequiredResponse]), ...errorResponses },
  };
  app.post('/v2/auth/login', { schema: loginSchema }, async (request) => login(request.body, sessionContext(request)));
  // The published cURL example posts to /auth/login: both paths behave the same.
  app.post('/auth/login', { schema: { ...loginSchema, summary: 'Login (v1 path)' } }, async (request) =>
    login(request.body, sessionContext(request)),
  );
}
