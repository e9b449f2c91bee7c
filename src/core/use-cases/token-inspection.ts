import type { Auth } from '../auth.ts';
import { ErrorCode, GatehouseError } from '../errors.ts';
import type { SecurityEvents } from '../events.ts';
import { userClaims, type UserClaims } from '../oidc/claims.ts';
import type { OAuthClients } from '../oidc/clients.ts';
import type { ProviderJwts } from '../oidc/jwts.ts';
import { hasScope, parseScope } from '../oidc/scopes.ts';
import type { Client } from '../projects.ts';
import type { RevocationStore } from '../revocations.ts';
import { REFRESH_PREFIX, type SessionContext, type Sessions } from '../sessions.ts';
import type { Users } from '../users.ts';
import { authenticateClient, invalidRequest, where, type ClientAuthentication } from './token-grants.ts';

/** RFC 7662 §2.2. */
export type Introspection = { readonly active: false } | ({ readonly active: true } & Readonly<Record<string, unknown>>);

/** What a client or resource server may do with tokens it holds: revoke (RFC 7009), introspect (RFC 7662), userinfo. */
export class TokenInspection {
  constructor(
    private readonly deps: {
      readonly issuer: string;
      readonly clients: OAuthClients;
      readonly users: Users;
      readonly sessions: Sessions;
      readonly auth: Auth;
      readonly jwts: ProviderJwts;
      readonly revocations: RevocationStore;
      readonly events: SecurityEvents;
    },
  ) {}

  /** RFC 7009: revokes a refresh or access token of this client; anything else is ignored alike. */
  async revoke(input: {
    readonly client: ClientAuthentication;
    readonly token: string | undefined;
    readonly context: SessionContext;
  }): Promise<void> {
    const client = await this.authenticate(input.client);
    if (input.token === undefined || input.token === '') throw invalidRequest('token is required');
    const token = input.token;
    let sessionId: string | undefined;
    if (token.startsWith(REFRESH_PREFIX)) {
      const found = await this.deps.sessions.byRefreshToken(token);
      if (found?.session.client_id === client.id) sessionId = found.session.id;
    } else {
      const payload = await this.deps.jwts.inspect(token, { typ: 'at+jwt' });
      if (payload === undefined || payload.aud !== client.id) return;
      if (typeof payload.sid === 'string') sessionId = payload.sid;
      else if (typeof payload.jti === 'string' && typeof payload.exp === 'number') {
        await this.deps.revocations.revoke([payload.jti], new Date(payload.exp * 1000));
        return;
      }
    }
    if (sessionId === undefined) return;
    // Either token of a grant ends the whole grant: its refresh token and every access token.
    await this.deps.sessions.revoke([sessionId], 'oauth_revoked');
    this.deps.events.emit({
      action: 'oauth.revoke',
      outcome: 'success',
      projectId: client.project_id,
      clientId: client.id,
      sessionId,
      ...where(input.context),
    });
  }

  /** RFC 7662, for confidential clients (resource servers) of the token's project. */
  async introspect(input: { readonly client: ClientAuthentication; readonly token: string | undefined }): Promise<Introspection> {
    const client = await this.authenticate(input.client);
    if (client.client_type !== 'confidential')
      throw new GatehouseError(ErrorCode.InvalidClient, 'Only confidential clients may introspect tokens');
    if (input.token === undefined || input.token === '') throw invalidRequest('token is required');
    const token = input.token;
    if (token.startsWith(REFRESH_PREFIX)) {
      const found = await this.deps.sessions.byRefreshToken(token);
      if (found === undefined || !found.usable || found.session.project_id !== client.project_id) return { active: false };
      const { session } = found;
      return {
        active: true,
        token_type: 'refresh_token',
        iss: this.deps.issuer,
        sub: session.user_id,
        client_id: session.client_id,
        scope: session.scope ?? '',
        exp: Math.floor(session.expires_at.getTime() / 1000),
        iat: Math.floor(session.created_at.getTime() / 1000),
      };
    }
    const payload = await this.deps.jwts.inspect(token, { typ: 'at+jwt' });
    if (payload === undefined || payload.project_id !== client.project_id) return { active: false };
    const revokable = typeof payload.sid === 'string' ? payload.sid : typeof payload.jti === 'string' ? payload.jti : undefined;
    if (revokable === undefined || (await this.deps.revocations.isRevoked(revokable))) return { active: false };
    if (typeof payload.sid === 'string') {
      const session = await this.deps.sessions.get(payload.sid);
      if (session === undefined || session.revoked_at !== null) return { active: false };
    }
    const patient =
      typeof payload.sid === 'string' && hasScope(String(payload.scope ?? ''), 'launch/patient')
        ? await this.patientOf(String(payload.sub))
        : undefined;
    return {
      active: true,
      token_type: 'Bearer',
      iss: payload.iss,
      sub: payload.sub,
      aud: payload.aud,
      client_id: payload.client_id ?? payload.aud,
      scope: payload.scope ?? '',
      exp: payload.exp,
      iat: payload.iat,
      ...(typeof payload.sid === 'string' && { sid: payload.sid }),
      ...(typeof payload.profile === 'string' && { fhirUser: payload.profile }),
      ...(patient !== undefined && { patient }),
    };
  }

  /** OpenID Connect Core §5.3: the claims the token's scopes release. */
  async userinfo(accessToken: string | undefined): Promise<{ sub: string } & UserClaims> {
    if (accessToken === undefined)
      throw new GatehouseError(ErrorCode.Unauthenticated, 'An access token is required', { data: { reason: 'missing' } });
    const principal = await this.deps.auth.authenticateBearer(accessToken);
    const scope = parseScope(principal.scope);
    if (!scope.includes('openid')) throw new GatehouseError(ErrorCode.Forbidden, 'The access token was not granted the openid scope');
    const [user, profile] = await Promise.all([
      this.deps.users.cachedById(principal.userId),
      this.deps.users.cachedProfileOf(principal.userId),
    ]);
    return { sub: user.id, ...userClaims(user, profile, scope) };
  }

  private authenticate(credentials: ClientAuthentication): Promise<Client> {
    return authenticateClient(this.deps.clients, credentials);
  }

  private async patientOf(userId: string): Promise<string | undefined> {
    const profile = await this.deps.users.cachedProfileOf(userId);
    return profile.resource_type === 'Patient' ? profile.id : undefined;
  }
}
