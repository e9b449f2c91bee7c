import { ErrorCode, GatehouseError } from '../errors.ts';
import { redirectWith } from '../oidc/authorization-request.ts';
import type { BrowserSessions } from '../oidc/browser-sessions.ts';
import type { OAuthClients } from '../oidc/clients.ts';
import type { ProviderJwts } from '../oidc/jwts.ts';
import type { JWTPayload } from 'jose';
import type { Client } from '../projects.ts';
import type { Session, SessionContext, Sessions } from '../sessions.ts';
import type { Browser } from './authorization.ts';

export interface EndSessionRequest {
  readonly idTokenHint?: string | undefined;
  readonly postLogoutRedirectUri?: string | undefined;
  readonly state?: string | undefined;
  readonly clientId?: string | undefined;
  readonly browser: Browser;
  /** The user confirmed on the sign-out page (a CSRF-checked form). */
  readonly confirmed: boolean;
  readonly context: SessionContext;
}

export type EndSessionOutcome =
  /** No valid id_token_hint naming this browser's session: the user is asked first (no logout by a stray link). */
  | { readonly kind: 'confirm'; readonly client: Client | undefined }
  /** Signed out: the cookie's remaining secrets, and where to go (the client's registered URI, or the signed-out page). */
  | { readonly kind: 'done'; readonly sso: readonly string[]; readonly location: string | undefined; readonly client: Client | undefined };

/**
 * RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): `post_logout_redirect_uri` must be
 * registered for the client the hint or `client_id` names, exactly, or no redirect is made.
 */
export class Logout {
  constructor(
    private readonly deps: {
      readonly clients: OAuthClients;
      readonly sessions: Sessions;
      readonly browserSessions: BrowserSessions;
      readonly jwts: ProviderJwts;
    },
  ) {}

  /**
   * Checks a logout request without acting on it (the sign-out page shows it): the client it
   * names, and the post-logout redirect URI, registered for that client exactly.
   */
  async check(
    request: Omit<EndSessionRequest, 'browser' | 'confirmed' | 'context'>,
  ): Promise<{ client: Client | undefined; hint: JWTPayload | undefined }> {
    const hint =
      request.idTokenHint === undefined ? undefined : await this.deps.jwts.inspect(request.idTokenHint, { expired: 'allow', typ: 'JWT' });
    if (request.idTokenHint !== undefined && hint === undefined)
      throw new GatehouseError(ErrorCode.Validation, 'id_token_hint is not a valid ID token of this server');
    const hintClient = typeof hint?.aud === 'string' ? hint.aud : undefined;
    if (request.clientId !== undefined && hintClient !== undefined && request.clientId !== hintClient) {
      throw new GatehouseError(ErrorCode.Validation, 'client_id does not match the id_token_hint');
    }
    const clientId = request.clientId ?? hintClient;
    const client = clientId === undefined ? undefined : await this.deps.clients.find(clientId).catch(() => undefined);
    if (clientId !== undefined && client === undefined) throw new GatehouseError(ErrorCode.InvalidRedirectUri, 'Unknown client');
    const target = request.postLogoutRedirectUri;
    if (target !== undefined && (client === undefined || !client.post_logout_redirect_uris.includes(target))) {
      throw new GatehouseError(ErrorCode.InvalidRedirectUri, 'post_logout_redirect_uri is not registered for this client');
    }
    return { client, hint };
  }

  async endSession(request: EndSessionRequest): Promise<EndSessionOutcome> {
    const { client, hint } = await this.check(request);
    const target = request.postLogoutRedirectUri;
    const sessions = await this.sessionsOf(request.browser, client);
    const named =
      hint !== undefined && (sessions.length === 0 || sessions.some((session) => session.id === hint.sid && session.user_id === hint.sub));
    if (!named && !request.confirmed) return { kind: 'confirm', client };
    for (const session of sessions) await this.deps.browserSessions.end(session, 'logout', request.context);
    const ended = new Set(sessions.map((session) => session.id));
    const remaining = await this.remainingSecrets(request.browser, ended);
    return {
      kind: 'done',
      sso: remaining,
      client,
      location: target === undefined ? undefined : redirectWith(target, { state: request.state }),
    };
  }

  /** The browser's sessions to end: the client's project's, or every one when no client is named. */
  private async sessionsOf(browser: Browser, client: Client | undefined): Promise<Session[]> {
    const found: Session[] = [];
    for (const secret of browser.sso) {
      const session = await this.deps.sessions.byCookie(secret, 'sso').catch(() => undefined);
      if (session !== undefined && (client === undefined || session.project_id === client.project_id)) found.push(session);
    }
    return found;
  }

  private async remainingSecrets(browser: Browser, ended: ReadonlySet<string>): Promise<string[]> {
    const kept: string[] = [];
    for (const secret of browser.sso) {
      const session = await this.deps.sessions.byCookie(secret, 'sso').catch(() => undefined);
      if (session !== undefined && !ended.has(session.id)) kept.push(secret);
    }
    return kept;
  }
}
