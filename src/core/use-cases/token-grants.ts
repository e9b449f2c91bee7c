import type { Auth } from '../auth.ts';
import { ErrorCode, GatehouseError } from '../errors.ts';
import type { SecurityEvents } from '../events.ts';
import { amrOf, userClaims } from '../oidc/claims.ts';
import type { OAuthClients } from '../oidc/clients.ts';
import type { AuthorizationCode, AuthorizationCodes } from '../oidc/codes.ts';
import type { ProviderJwts } from '../oidc/jwts.ts';
import { grantable, parseScope } from '../oidc/scopes.ts';
import type { Client, Project, Projects } from '../projects.ts';
import type { RevocationStore } from '../revocations.ts';
import type { Session, SessionContext, Sessions } from '../sessions.ts';
import type { AccessTokens } from '../tokens.ts';
import { profileReference, type Users } from '../users.ts';

/** How the client authenticated (client_secret_basic or client_secret_post), or only named itself (public). */
export interface ClientAuthentication {
  readonly clientId: string | undefined;
  readonly clientSecret: string | undefined;
}

export interface TokenRequest {
  readonly grantType: string | undefined;
  readonly client: ClientAuthentication;
  readonly code?: string | undefined;
  readonly redirectUri?: string | undefined;
  readonly codeVerifier?: string | undefined;
  readonly refreshToken?: string | undefined;
  readonly scope?: string | undefined;
  readonly context: SessionContext;
}

/** A successful token response (RFC 6749 §5.1, OpenID Connect Core §3.1.3.3, SMART's `patient`). */
export interface IssuedTokens {
  readonly accessToken: string;
  readonly expiresIn: number;
  readonly scope: string;
  readonly idToken?: string;
  readonly refreshToken?: string;
  readonly patient?: string;
}

/** RFC 7662 §2.2. */
export function invalidRequest(message: string): GatehouseError {
  return new GatehouseError(ErrorCode.Validation, message);
}

/**
 * The token endpoint's grants: authorization_code, refresh_token, client_credentials. Refresh tokens
 * are the sessions' own: the same rotation, replay detection and retry grace as the contracts
 * (Sessions.rotate). Revocation, introspection and userinfo: token-inspection.ts.
 */
export class TokenGrants {
  constructor(
    private readonly deps: {
      readonly issuer: string;
      readonly clients: OAuthClients;
      readonly projects: Projects;
      readonly users: Users;
      readonly sessions: Sessions;
      readonly auth: Auth;
      readonly codes: AuthorizationCodes;
      readonly tokens: AccessTokens;
      readonly jwts: ProviderJwts;
      readonly revocations: RevocationStore;
      readonly events: SecurityEvents;
    },
  ) {}

  async token(request: TokenRequest): Promise<IssuedTokens> {
    const client = await this.authenticate(request.client);
    const grant = request.grantType;
    if (grant === undefined) throw invalidRequest('grant_type is required');
    if (grant !== 'authorization_code' && grant !== 'refresh_token' && grant !== 'client_credentials') {
      throw new GatehouseError(ErrorCode.UnsupportedGrantType, `Unsupported grant_type ${grant}`);
    }
    if (!client.grant_types.includes(grant))
      throw new GatehouseError(ErrorCode.UnauthorizedClient, `The client may not use the ${grant} grant`);
    if (grant === 'authorization_code') return this.exchangeCode(client, request);
    if (grant === 'refresh_token') return this.refresh(client, request);
    return this.clientCredentials(client, request);
  }

  private async authenticate(credentials: ClientAuthentication): Promise<Client> {
    if (credentials.clientId === undefined || credentials.clientId === '')
      throw new GatehouseError(ErrorCode.InvalidClient, 'Client authentication is required');
    return this.deps.clients.authenticate(credentials.clientId, credentials.clientSecret);
  }

  private async exchangeCode(client: Client, request: TokenRequest): Promise<IssuedTokens> {
    if (request.code === undefined) throw invalidRequest('code is required');
    const project = await this.deps.projects.get(client.project_id);
    let redeemed: { code: AuthorizationCode; started: { session: Session; secret: string } };
    try {
      redeemed = await this.deps.codes.redeem(
        { code: request.code, clientId: client.id, redirectUri: request.redirectUri, codeVerifier: request.codeVerifier },
        async (db, code, sessionId) => {
          const parent = await this.deps.sessions.get(code.browser_session_id, db);
          const created = await this.deps.sessions.create(
            {
              id: sessionId,
              projectId: code.project_id,
              userId: code.user_id,
              clientId: client.id,
              kind: 'token',
              authMethod: parent?.auth_method ?? 'password',
              parentId: code.browser_session_id,
              scope: code.scope,
              ttlSeconds: project.refresh_token_ttl_seconds,
              ...request.context,
            },
            db,
          );
          return created;
        },
      );
    } catch (error) {
      await this.onFailedRedemption(error, client, request.context);
      throw error;
    }
    const { code, started } = redeemed;
    const { session } = started;
    this.deps.events.emit({
      action: 'oauth.token',
      outcome: 'success',
      projectId: client.project_id,
      clientId: client.id,
      userId: code.user_id,
      sessionId: session.id,
      detail: { grant: 'authorization_code' },
      ...where(request.context),
    });
    return this.respond(client, project, session, {
      nonce: code.nonce,
      authTime: code.auth_time,
      amr: code.amr,
      sid: code.browser_session_id,
      refreshToken: started.secret,
    });
  }

  /** A replayed code ends what its first use started (RFC 6749 §4.1.2). */
  private async onFailedRedemption(error: unknown, client: Client, context: SessionContext): Promise<void> {
    if (!(error instanceof GatehouseError) || error.code !== ErrorCode.InvalidGrant) return;
    const data = error.extra.data;
    if (data === undefined || !('revoke' in data)) return;
    if (typeof data.revoke === 'string') await this.deps.sessions.revoke([data.revoke], 'authorization_code_replayed');
    this.deps.events.emit({
      action: 'oauth.code_replay',
      outcome: 'failure',
      projectId: client.project_id,
      clientId: client.id,
      userId: typeof data.userId === 'string' ? data.userId : undefined,
      ...(typeof data.revoke === 'string' && { sessionId: data.revoke }),
      ...where(context),
    });
  }

  private async refresh(client: Client, request: TokenRequest): Promise<IssuedTokens> {
    if (request.refreshToken === undefined) throw invalidRequest('refresh_token is required');
    let rotated: { session: Session; secret: string };
    try {
      rotated = await this.deps.sessions.rotate(request.refreshToken, request.context, client.project_id, client.id);
    } catch (error) {
      if (error instanceof GatehouseError && error.extra.data?.replay === true) {
        this.deps.events.emit({
          action: 'refresh_replay',
          outcome: 'failure',
          clientId: client.id,
          userId: String(error.extra.data.userId),
          sessionId: String(error.extra.data.sessionId),
          ...where(request.context),
        });
      }
      throw error;
    }
    const { session, secret } = rotated;
    const granted = parseScope(session.scope ?? undefined);
    const asked = request.scope === undefined ? granted : parseScope(request.scope);
    // RFC 6749 §6: a narrower scope may be asked for; the grant itself keeps its scope.
    if (asked.some((scope) => !granted.includes(scope)))
      throw new GatehouseError(ErrorCode.InvalidScope, 'The requested scope exceeds the granted scope');
    const project = await this.deps.projects.get(session.project_id);
    const parent = session.parent_id === null ? undefined : await this.deps.sessions.get(session.parent_id);
    this.deps.events.emit({
      action: 'refresh',
      outcome: 'success',
      projectId: project.id,
      clientId: client.id,
      userId: session.user_id,
      sessionId: session.id,
      ...where(request.context),
    });
    return this.respond(
      client,
      project,
      { ...session, scope: asked.join(' ') },
      {
        nonce: null,
        authTime: parent?.created_at ?? session.created_at,
        amr: amrOf((parent ?? session).auth_method),
        sid: parent?.id ?? session.id,
        refreshToken: secret,
      },
    );
  }

  private async clientCredentials(client: Client, request: TokenRequest): Promise<IssuedTokens> {
    if (client.client_type !== 'confidential')
      throw new GatehouseError(ErrorCode.UnauthorizedClient, 'client_credentials needs a confidential client');
    const requested = parseScope(request.scope);
    const scope =
      request.scope === undefined
        ? grantable(client.scopes, client.scopes, { forClient: true })
        : grantable(requested, client.scopes, { forClient: true });
    if (requested.length > 0 && scope.length === 0)
      throw new GatehouseError(ErrorCode.InvalidScope, 'None of the requested scopes is allowed for this client');
    const project = await this.deps.projects.get(client.project_id);
    const ttlSeconds = project.access_token_ttl_seconds;
    const { token } = await this.deps.jwts.clientToken({ clientId: client.id, projectId: project.id, scope: scope.join(' '), ttlSeconds });
    this.deps.events.emit({
      action: 'oauth.token',
      outcome: 'success',
      projectId: project.id,
      clientId: client.id,
      detail: { grant: 'client_credentials' },
      ...where(request.context),
    });
    return { accessToken: token, expiresIn: ttlSeconds, scope: scope.join(' ') };
  }

  private async respond(
    client: Client,
    project: Project,
    session: Session,
    grant: { nonce: string | null; authTime: Date; amr: readonly string[]; sid: string; refreshToken: string | undefined },
  ): Promise<IssuedTokens> {
    const scope = parseScope(session.scope ?? undefined);
    const [user, profile] = await Promise.all([this.deps.users.byId(session.user_id), this.deps.users.profileOf(session.user_id)]);
    if (!user.is_active) throw new GatehouseError(ErrorCode.InvalidGrant, 'The account is disabled');
    const ttlSeconds = project.access_token_ttl_seconds;
    const { token } = await this.deps.tokens.issue({
      userId: user.id,
      clientId: client.id,
      sessionId: session.id,
      projectId: project.id,
      profile: profileReference(profile),
      ttlSeconds,
      scope: scope.join(' '),
    });
    const idToken = scope.includes('openid')
      ? await this.deps.jwts.idToken({
          subject: user.id,
          clientId: client.id,
          nonce: grant.nonce,
          authTime: grant.authTime,
          amr: grant.amr,
          sid: grant.sid,
          claims: userClaims(user, profile, scope),
          ttlSeconds,
        })
      : undefined;
    const offline = scope.includes('offline_access') && client.grant_types.includes('refresh_token');
    const refreshToken = offline ? grant.refreshToken : undefined;
    const patient = scope.includes('launch/patient') && profile.resource_type === 'Patient' ? profile.id : undefined;
    return {
      accessToken: token,
      expiresIn: ttlSeconds,
      scope: scope.join(' '),
      ...(idToken !== undefined && { idToken }),
      ...(refreshToken !== undefined && { refreshToken }),
      ...(patient !== undefined && { patient }),
    };
  }
}

/** Client authentication at the token, revocation and introspection endpoints. */
export function authenticateClient(clients: OAuthClients, credentials: ClientAuthentication): Promise<Client> {
  if (credentials.clientId === undefined || credentials.clientId === '')
    throw new GatehouseError(ErrorCode.InvalidClient, 'Client authentication is required');
  return clients.authenticate(credentials.clientId, credentials.clientSecret);
}

export function where(context: SessionContext): { remoteAddress?: string | undefined; userAgent?: string | undefined } {
  return { remoteAddress: context.remoteAddress, userAgent: context.userAgent };
}
