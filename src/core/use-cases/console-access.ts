import { decodeJwt } from 'jose';
import { ErrorCode, GatehouseError } from '../errors.ts';
import type { SecurityEvents } from '../events.ts';
import type { BrowserSessions } from '../oidc/browser-sessions.ts';
import { amrOf } from '../oidc/claims.ts';
import type { OAuthClients } from '../oidc/clients.ts';
import { consoleRedirectUri, isConsoleClient } from '../oidc/console-client.ts';
import type { Client, Projects } from '../projects.ts';
import type { Principal } from '../principal.ts';
import type { SessionContext, Sessions } from '../sessions.ts';
import type { Actor } from './actor.ts';
import type { Operators } from './operators.ts';
import type { TokenGrants } from './token-grants.ts';

export { CONSOLE_CALLBACK_PATH } from '../oidc/console-client.ts';
export const CONSOLE_CLIENT_NAME = 'Gatehouse console';
/** A console session lasts a working day; signing out or revoking it ends it earlier. */
export const CONSOLE_SESSION_TTL_SECONDS = 8 * 3600;

export type ConsoleActor = Extract<Actor, { kind: 'operator' }> & { readonly sessionId: string };

/** A signed-in operator: who acts, and the email the console shows. */
export interface ConsoleOperator {
  readonly actor: ConsoleActor;
  readonly email: string;
}

/**
 * Operators' sign-in to the console: a first-party public client of the system project (created
 * on first use), authorization code + PKCE through the hosted sign-in pages, then a console
 * session (a `cookie` session of the system project, child of the browser session) whose secret
 * is the console cookie. Revoking the session ends the console at once.
 */
export class ConsoleAccess {
  private client: Promise<Client> | undefined;

  constructor(
    private readonly deps: {
      readonly issuer: string;
      readonly requireMfa: boolean;
      readonly projects: Projects;
      readonly clients: OAuthClients;
      readonly tokens: TokenGrants;
      readonly sessions: Sessions;
      readonly browserSessions: BrowserSessions;
      readonly operators: Operators;
      readonly events: SecurityEvents;
    },
  ) {}

  /** The console's OAuth client and its redirect URI (the client is created on first use). */
  async oauthClient(): Promise<{ clientId: string; redirectUri: string }> {
    this.client ??= this.findOrCreateClient().catch((error: unknown) => {
      this.client = undefined;
      throw error;
    });
    return { clientId: (await this.client).id, redirectUri: consoleRedirectUri(this.deps.issuer) };
  }

  /**
   * The callback: exchanges the code (PKCE verifier, exact redirect URI) through the token
   * endpoint's use case, checks the user is an operator (and signed in with MFA when required),
   * and opens a console session. Returns its secret, for the cookie.
   */
  async complete(input: {
    code: string;
    codeVerifier: string;
    context: SessionContext;
  }): Promise<{ secret: string; operator: ConsoleOperator }> {
    const { clientId, redirectUri } = await this.oauthClient();
    const issued = await this.deps.tokens.token({
      grantType: 'authorization_code',
      client: { clientId, clientSecret: undefined },
      code: input.code,
      redirectUri,
      codeVerifier: input.codeVerifier,
      context: input.context,
    });
    // Minted just now by this server: its claims need no second verification.
    const claims = decodeJwt(issued.accessToken);
    const tokenSession = typeof claims.sid === 'string' ? await this.deps.sessions.get(claims.sid) : undefined;
    if (tokenSession === undefined) throw new GatehouseError(ErrorCode.Unauthenticated, 'The sign-in did not open a session');
    // The console holds no tokens: the token session the exchange opened ends here.
    await this.deps.sessions.revoke([tokenSession.id], 'console_sign_in');
    const parent = tokenSession.parent_id === null ? undefined : await this.deps.browserSessions.live(tokenSession.parent_id);
    if (parent === undefined) throw new GatehouseError(ErrorCode.Unauthenticated, 'The browser session ended');
    const operator = await this.deps.operators.signedIn(tokenSession.user_id, input.context.remoteAddress);
    const withMfa = amrOf(parent.auth_method).includes('mfa');
    if (this.deps.requireMfa && !withMfa) {
      this.emit('console.sign_in', 'failure', tokenSession.user_id, undefined, input.context, { reason: 'mfa_required' });
      // Else the next visit would be signed in again by the same browser session, without a second factor.
      await this.deps.browserSessions.end(parent, 'console_mfa_required', input.context);
      throw new GatehouseError(ErrorCode.Forbidden, 'Operators must sign in with a second factor (GATEHOUSE_CONSOLE_REQUIRE_MFA)', {
        data: { reason: 'mfa_required' },
      });
    }
    const project = await this.deps.projects.systemProject();
    const { session, secret } = await this.deps.sessions.create({
      projectId: project.id,
      userId: tokenSession.user_id,
      clientId,
      kind: 'cookie',
      parentId: parent.id,
      authMethod: parent.auth_method,
      ttlSeconds: CONSOLE_SESSION_TTL_SECONDS,
      ...input.context,
    });
    this.emit('console.sign_in', 'success', session.user_id, session.id, input.context, { mfa: withMfa });
    return { secret, operator: { actor: { ...operator.actor, sessionId: session.id }, email: operator.email } };
  }

  /** The operator a console cookie stands for; Unauthenticated when the session ended, Forbidden when the user is no operator. */
  async operator(secret: string, remoteAddress: string | undefined): Promise<ConsoleOperator> {
    const [session, { clientId }] = await Promise.all([this.deps.sessions.byCookie(secret, 'cookie'), this.oauthClient()]);
    if (session.client_id !== clientId || !(await this.deps.sessions.isLive(session.id)))
      throw new GatehouseError(ErrorCode.Unauthenticated, 'Not a console session');
    const operator = await this.deps.operators.signedIn(session.user_id, remoteAddress);
    return { actor: { ...operator.actor, sessionId: session.id }, email: operator.email };
  }

  /** The operator as the caller of their own account's settings (two-step verification: api.mfa). */
  async principal(actor: ConsoleActor): Promise<Principal> {
    const [project, { clientId }] = await Promise.all([this.deps.projects.systemProject(), this.oauthClient()]);
    return { userId: actor.operatorId, projectId: project.id, sessionId: actor.sessionId, clientId, via: 'cookie' };
  }

  /** Signs out: the console session and the browser session it came from (else the next visit signs in silently). */
  async signOut(actor: ConsoleActor, context: SessionContext): Promise<void> {
    const session = await this.deps.sessions.get(actor.sessionId);
    if (session === undefined) return;
    const parent = session.parent_id === null ? undefined : await this.deps.browserSessions.live(session.parent_id);
    await this.deps.sessions.revoke([session.id], 'console_sign_out');
    if (parent !== undefined) await this.deps.browserSessions.end(parent, 'console_sign_out', context);
    this.emit('console.sign_out', 'success', session.user_id, session.id, context, {});
  }

  private async findOrCreateClient(): Promise<Client> {
    const project = await this.deps.projects.systemProject();
    const existing = (await this.deps.projects.listClients(project.id)).find((client) => isConsoleClient(client, this.deps.issuer));
    if (existing !== undefined) return existing;
    const { client } = await this.deps.clients.register(project.id, {
      name: CONSOLE_CLIENT_NAME,
      redirectUris: [consoleRedirectUri(this.deps.issuer)],
      type: 'public',
      grantTypes: ['authorization_code'],
      scopes: ['openid'],
      firstParty: true,
    });
    return client;
  }

  private emit(
    action: string,
    outcome: 'success' | 'failure',
    userId: string,
    sessionId: string | undefined,
    context: SessionContext,
    detail: Record<string, unknown>,
  ): void {
    this.deps.events.emit({
      action,
      outcome,
      userId,
      ...(sessionId !== undefined && { sessionId }),
      remoteAddress: context.remoteAddress,
      userAgent: context.userAgent,
      detail: { ...detail, actor: `operator:${userId}` },
    });
  }
}
