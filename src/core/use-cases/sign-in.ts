import type { Config } from '../../config.ts';
import type { Auth, TokenPair } from '../auth.ts';
import type { Mfa } from '../lifecycle/mfa.ts';
import type { Client, Project, Projects } from '../projects.ts';
import type { Session, SessionContext } from '../sessions.ts';
import type { Profile, User, Users } from '../users.ts';
import type { TenantRef, Tenants } from './tenants.ts';

/** The session a sign-in opens: bearer tokens (access JWT + rotating refresh token) or a browser cookie. */
export type SessionOptions =
  | { readonly kind: 'tokens' }
  | { readonly kind: 'cookie'; readonly remember: boolean }
  /** The browser session of the hosted sign-in pages (SSO across a project's OAuth clients). */
  | { readonly kind: 'sso' };

export interface CookieSession {
  readonly session: Session;
  /** The cookie's value; only its digest is stored. */
  readonly secret: string;
}

/** What the session part of an answer holds, by the kind asked for. */
export type Opened<S extends SessionOptions> = S extends { kind: 'tokens' }
  ? { readonly tokens: TokenPair }
  : { readonly cookie: CookieSession };

export type SignedIn<S extends SessionOptions> = {
  /** The user as it is after the sign-in (last login recorded, a scheduled deletion called off). */
  readonly user: User;
  readonly profile: Profile;
  readonly project: Project;
  readonly client: Client;
} & Opened<S>;

/** A correct password of a user with a second factor earns a challenge instead of a session. */
export interface MfaChallenge {
  readonly mfaChallenge: string;
}

export interface PasswordSignIn<S extends SessionOptions> {
  readonly tenant: TenantRef;
  readonly email: string;
  readonly password: string;
  readonly session: S;
  readonly context: SessionContext;
}

export interface MfaSignIn<S extends SessionOptions> {
  readonly challenge: string;
  readonly code: string;
  /** A contract bound to a project: a challenge of another project is refused before it is spent. */
  readonly tenant?: TenantRef;
  readonly session: S;
  readonly context: SessionContext;
}

/** Signing in with a password, finishing it with a second factor, and trading refresh tokens. */
export class SignIn {
  constructor(
    private readonly deps: {
      readonly tenants: Tenants;
      readonly projects: Projects;
      readonly users: Users;
      readonly auth: Auth;
      readonly mfa: Mfa;
      readonly cookieTtl: Config['sessions'];
    },
  ) {}

  async withPassword<S extends SessionOptions>(input: PasswordSignIn<S>): Promise<MfaChallenge | SignedIn<S>> {
    const { project, client } = await this.deps.tenants.resolve(input.tenant);
    const context = { ...input.context, clientId: client.id };
    const checked = await this.deps.auth.checkPassword(project, input.email, input.password, context);
    // With MFA enrolled, a correct password earns a challenge, finished by withMfaCode.
    const challenge = await this.deps.auth.secondFactor(checked, client.id);
    if (challenge !== undefined) return { mfaChallenge: challenge };
    return this.open(checked.user, checked.profile, project, client, input.session, input.context, 'password');
  }

  async withMfaCode<S extends SessionOptions>(input: MfaSignIn<S>): Promise<SignedIn<S>> {
    const expected = input.tenant === undefined ? undefined : await this.deps.tenants.projectId(input.tenant);
    const result = await this.deps.mfa.complete(input.challenge, input.code, input.context, expected);
    const project = await this.deps.projects.get(result.projectId);
    const client =
      result.clientId === null ? await this.deps.projects.primaryClient(project.id) : await this.deps.projects.client(result.clientId);
    const profile = await this.deps.users.profileOf(result.user.id);
    return this.open(
      result.user,
      profile,
      project,
      client,
      input.session,
      input.context,
      result.method === 'totp' ? 'password+totp' : 'password+recovery_code',
    );
  }

  /** Rotates a refresh token; with a tenant, a token of another project is refused before it is spent. */
  async refresh(input: {
    readonly refreshToken: string;
    readonly tenant?: TenantRef;
    readonly context: SessionContext;
  }): Promise<TokenPair> {
    const projectId = input.tenant === undefined ? undefined : await this.deps.tenants.projectId(input.tenant);
    return this.deps.auth.refresh(input.refreshToken, input.context, projectId);
  }

  /**
   * Opens the session asked for; the same statement records the login. (TypeScript cannot narrow
   * `S` from `session.kind`, hence the casts to the conditional result type.)
   */
  async open<S extends SessionOptions>(
    user: User,
    profile: Profile,
    project: Project,
    client: Client,
    session: S,
    context: SessionContext,
    authMethod: string,
  ): Promise<SignedIn<S>> {
    const withClient = { ...context, clientId: client.id, authMethod };
    if (session.kind === 'tokens') {
      const signedIn = await this.deps.auth.signInWithTokens(user, profile, project, client, withClient);
      return { user: signedIn.user, profile, project, client, tokens: signedIn.tokens } as unknown as SignedIn<S>;
    }
    const { shortTtlSeconds, rememberTtlSeconds } = this.deps.cookieTtl;
    const remember = session.kind === 'cookie' && session.remember;
    const ttlSeconds = remember ? rememberTtlSeconds : shortTtlSeconds;
    const kind = session.kind === 'sso' ? 'sso' : 'cookie';
    const signedIn = await this.deps.auth.signInWithCookie(user, client, { remember, ttlSeconds, kind }, withClient);
    return {
      user: signedIn.user,
      profile,
      project,
      client,
      cookie: { session: signedIn.session, secret: signedIn.secret },
    } as unknown as SignedIn<S>;
  }
}
