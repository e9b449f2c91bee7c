import { ErrorCode, GatehouseError } from '../errors.ts';
import type { SecurityEvents } from '../events.ts';
import {
  checkAuthorizationRequest,
  redirectWith,
  type AuthorizationError,
  type AuthorizationParams,
  type RawParams,
} from '../oidc/authorization-request.ts';
import type { BrowserSessions } from '../oidc/browser-sessions.ts';
import { amrOf } from '../oidc/claims.ts';
import type { Clock } from '../oidc/clock.ts';
import type { AuthorizationCodes } from '../oidc/codes.ts';
import type { Consents } from '../oidc/consents.ts';
import type { Interaction, Interactions } from '../oidc/interactions.ts';
import type { ProviderJwts } from '../oidc/jwts.ts';
import type { OAuthClients } from '../oidc/clients.ts';
import type { Client, Project, Projects } from '../projects.ts';
import { newSecret } from '../secrets.ts';
import type { Session, SessionContext } from '../sessions.ts';
import type { Users } from '../users.ts';

/** What the browser brought: the cookie binding it to its interactions, and its SSO session secrets. */
export interface Browser {
  readonly binding: string | undefined;
  readonly sso: readonly string[];
}

/** Where an authorization request goes next. */
export type AuthorizationStep =
  /** Back to the client: a code, or an error, with `state` and `iss`. */
  | { readonly kind: 'redirect'; readonly location: string }
  /** The user must sign in (or pick up the second factor) or consent: a hosted page. */
  | {
      readonly kind: 'interaction';
      readonly interactionId: string;
      readonly step: 'login' | 'consent';
      readonly uiLocales: string | undefined;
    };

export interface Begun {
  readonly next: AuthorizationStep;
  /** A new browser binding cookie to set (the browser had none). */
  readonly binding?: string;
}

/** What the hosted pages show about an interaction. */
export interface InteractionView {
  readonly id: string;
  readonly client: Client;
  readonly project: Project;
  readonly params: AuthorizationParams;
  /** Scopes the consent page asks for. */
  readonly scopes: readonly string[];
}

export const BROWSER_BINDING_PREFIX = 'ghb_';

/**
 * The authorization endpoint and its interactions (OpenID Connect Core §3.1.2): checks the
 * client and its exact redirect URI first (anything wrong there is an error page, never a
 * redirect), then the rest of the request (errors go back to the client with `state` and `iss`),
 * then decides whether the browser session will do, or the user must sign in or consent.
 */
export class Authorization {
  constructor(
    private readonly deps: {
      readonly issuer: string;
      readonly clock: Clock;
      readonly clients: OAuthClients;
      readonly projects: Projects;
      readonly users: Users;
      readonly codes: AuthorizationCodes;
      readonly consents: Consents;
      readonly interactions: Interactions;
      readonly browserSessions: BrowserSessions;
      readonly jwts: ProviderJwts;
      readonly events: SecurityEvents;
    },
  ) {}

  /** GET or POST /oauth2/authorize. Throws InvalidRedirectUri when no redirect may be made. */
  async begin(raw: RawParams, browser: Browser, context: SessionContext): Promise<Begun> {
    const client = await this.trustedClient(raw);
    const redirectUri = raw.redirect_uri;
    if (typeof redirectUri !== 'string' || !client.redirect_uris.includes(redirectUri)) {
      throw new GatehouseError(ErrorCode.InvalidRedirectUri, 'The redirect_uri is not registered for this client');
    }
    const checked = checkAuthorizationRequest(client, redirectUri, raw);
    if (checked.kind === 'error')
      return { next: { kind: 'redirect', location: this.errorLocation(checked.redirectUri, checked.state, checked.failure) } };
    const { params } = checked;
    const binding = browser.binding ?? newSecret(BROWSER_BINDING_PREFIX);
    const next = await this.decide(client, params, browser, undefined, binding, context);
    return browser.binding === undefined ? { next, binding } : { next };
  }

  /** An interaction of this browser, for its page; NotFound when it expired or is another browser's. */
  async interaction(id: string, browser: Browser): Promise<InteractionView> {
    const interaction = await this.deps.interactions.find(id, browser.binding);
    if (interaction === undefined) throw new GatehouseError(ErrorCode.NotFound, 'This sign-in request expired or is unknown');
    const client = await this.deps.projects.client(interaction.clientId);
    const project = await this.deps.projects.get(client.project_id);
    return { id, client, project, params: interaction.params, scopes: interaction.params.scope };
  }

  /**
   * After the user signed in on the interaction's page: remembers the new browser session and
   * goes on (consent, or the code back to the client).
   */
  async signedIn(id: string, browser: Browser, session: Session, context: SessionContext): Promise<AuthorizationStep> {
    const interaction = await this.requireInteraction(id, browser);
    await this.deps.interactions.signedIn(interaction.id, session.id);
    return this.resume({ ...interaction, browserSessionId: session.id }, browser, context);
  }

  /** Continues an interaction (e.g. after a page reload) without new input. */
  async resumeInteraction(id: string, browser: Browser, context: SessionContext): Promise<AuthorizationStep> {
    return this.resume(await this.requireInteraction(id, browser), browser, context);
  }

  /** The consent page's answer. */
  async consent(id: string, browser: Browser, allow: boolean, context: SessionContext): Promise<AuthorizationStep> {
    const interaction = await this.requireInteraction(id, browser);
    const client = await this.deps.projects.client(interaction.clientId);
    const session = await this.sessionFor(interaction, browser, client);
    if (session === undefined) return this.resume(interaction, browser, context);
    const { params } = interaction;
    this.deps.events.emit({
      action: 'oauth.consent',
      outcome: allow ? 'success' : 'failure',
      projectId: client.project_id,
      clientId: client.id,
      userId: session.user_id,
      remoteAddress: context.remoteAddress,
      userAgent: context.userAgent,
      detail: { scope: params.scope.join(' ') },
    });
    if (!allow) {
      await this.deps.interactions.finish(interaction.id);
      return {
        kind: 'redirect',
        location: this.errorLocation(params.redirectUri, params.state, {
          error: 'access_denied',
          description: 'The user denied the request',
        }),
      };
    }
    await this.deps.consents.grant(session.user_id, client.id, params.scope);
    return this.issue(interaction, client, session, context);
  }

  /** The client an authorize request names, or InvalidRedirectUri (unknown clients get no redirect either). */
  private async trustedClient(raw: RawParams): Promise<Client> {
    const clientId = raw.client_id;
    if (typeof clientId !== 'string' || clientId === '') throw new GatehouseError(ErrorCode.InvalidRedirectUri, 'client_id is missing');
    try {
      return await this.deps.clients.find(clientId);
    } catch (error) {
      if (error instanceof GatehouseError && error.code === ErrorCode.InvalidClient)
        throw new GatehouseError(ErrorCode.InvalidRedirectUri, 'Unknown client');
      throw error;
    }
  }

  private async requireInteraction(id: string, browser: Browser): Promise<Interaction> {
    const interaction = await this.deps.interactions.find(id, browser.binding);
    if (interaction === undefined) throw new GatehouseError(ErrorCode.NotFound, 'This sign-in request expired or is unknown');
    return interaction;
  }

  private async resume(interaction: Interaction, browser: Browser, context: SessionContext): Promise<AuthorizationStep> {
    const client = await this.deps.projects.client(interaction.clientId);
    return this.decide(client, interaction.params, browser, interaction, undefined, context);
  }

  /** The browser session that counts: the one signed in during this interaction, else the browser's own. */
  private async sessionFor(interaction: Interaction | undefined, browser: Browser, client: Client): Promise<Session | undefined> {
    if (interaction?.browserSessionId != null) {
      const session = await this.deps.browserSessions.live(interaction.browserSessionId);
      if (session !== undefined && session.project_id === client.project_id) return session;
    }
    return this.deps.browserSessions.current(browser.sso, client.project_id);
  }

  private async decide(
    client: Client,
    params: AuthorizationParams,
    browser: Browser,
    interaction: Interaction | undefined,
    binding: string | undefined,
    context: SessionContext,
  ): Promise<AuthorizationStep> {
    const session = await this.sessionFor(interaction, browser, client);
    const fresh = interaction?.browserSessionId != null && session?.id === interaction.browserSessionId;
    const loginRequired = session === undefined || (!fresh && (await this.mustSignInAgain(params, session)));
    const promptNone = params.prompt.includes('none');
    const stop = async (failure: AuthorizationError): Promise<AuthorizationStep> => {
      if (interaction !== undefined) await this.deps.interactions.finish(interaction.id);
      return { kind: 'redirect', location: this.errorLocation(params.redirectUri, params.state, failure) };
    };
    if (loginRequired) {
      if (promptNone) return stop({ error: 'login_required', description: 'The user is not signed in' });
      return {
        kind: 'interaction',
        interactionId: (interaction ?? (await this.deps.interactions.create(params, binding ?? ''))).id,
        step: 'login',
        uiLocales: params.uiLocales,
      };
    }
    // The consent page's answer issues the code itself, so prompt=consent is asked exactly once.
    const needsConsent =
      params.prompt.includes('consent') ||
      (!client.first_party && !(await this.deps.consents.covers(session.user_id, client.id, params.scope)));
    if (needsConsent) {
      if (promptNone) return stop({ error: 'consent_required', description: 'The user has not allowed this client yet' });
      return {
        kind: 'interaction',
        interactionId: (interaction ?? (await this.deps.interactions.create(params, binding ?? ''))).id,
        step: 'consent',
        uiLocales: params.uiLocales,
      };
    }
    return this.issue(interaction, client, session, context, params);
  }

  /** prompt=login, max_age exceeded, or an id_token_hint naming someone else. */
  private async mustSignInAgain(params: AuthorizationParams, session: Session): Promise<boolean> {
    if (params.prompt.includes('login')) return true;
    if (params.maxAge !== undefined && this.deps.clock().getTime() - session.created_at.getTime() > params.maxAge * 1000) return true;
    if (params.idTokenHint !== undefined) {
      const hint = await this.deps.jwts.inspect(params.idTokenHint, { expired: 'allow', typ: 'JWT' });
      if (hint?.sub !== session.user_id) return true;
    }
    return false;
  }

  private async issue(
    interaction: Interaction | undefined,
    client: Client,
    session: Session,
    context: SessionContext,
    given?: AuthorizationParams,
  ): Promise<AuthorizationStep> {
    const params = given ?? interaction?.params;
    if (params === undefined) throw new Error('authorization parameters missing');
    // Finishing the interaction first makes it single use: a second tab's answer finds nothing.
    if (interaction !== undefined && !(await this.deps.interactions.finish(interaction.id))) {
      throw new GatehouseError(ErrorCode.NotFound, 'This sign-in request was already answered');
    }
    const user = await this.deps.users.byId(session.user_id);
    if (!user.is_active)
      return {
        kind: 'redirect',
        location: this.errorLocation(params.redirectUri, params.state, { error: 'access_denied', description: 'The account is disabled' }),
      };
    const code = await this.deps.codes.issue({
      clientId: client.id,
      projectId: client.project_id,
      userId: session.user_id,
      browserSessionId: session.id,
      redirectUri: params.redirectUri,
      codeChallenge: params.codeChallenge,
      nonce: params.nonce,
      scope: params.scope.join(' '),
      authTime: session.created_at,
      amr: amrOf(session.auth_method),
    });
    this.deps.events.emit({
      action: 'oauth.authorize',
      outcome: 'success',
      projectId: client.project_id,
      clientId: client.id,
      userId: session.user_id,
      sessionId: session.id,
      remoteAddress: context.remoteAddress,
      userAgent: context.userAgent,
      detail: { scope: params.scope.join(' ') },
    });
    return { kind: 'redirect', location: redirectWith(params.redirectUri, { code, state: params.state, iss: this.deps.issuer }) };
  }

  private errorLocation(redirectUri: string, state: string | undefined, failure: AuthorizationError): string {
    return redirectWith(redirectUri, { error: failure.error, error_description: failure.description, state, iss: this.deps.issuer });
  }
}
