import { NO_LOGIN_GUARD, type LoginGuard } from './abuse/brute-force.ts';
import { ErrorCode, GatehouseError } from './errors.ts';
import type { SecurityEvents } from './events.ts';
import type { PasswordHasher } from './passwords.ts';
import type { Client, Project, Projects, ProfileType } from './projects.ts';
import type { RevocationStore } from './revocations.ts';
import type { NewSession, Session, SessionContext, Sessions } from './sessions.ts';
import type { AccessClaims, AccessTokens } from './tokens.ts';
import { profileReference, type NewUser, type Profile, type SignInRecord, type User, type Users } from './users.ts';

/** Who is calling, as established by a bearer token, a session cookie or an API key. */
export interface Principal {
  readonly userId: string;
  readonly projectId: string;
  readonly sessionId: string | null;
  readonly clientId: string | null;
  readonly via: 'bearer' | 'cookie' | 'api_key';
  /** Set for API-key callers. */
  readonly apiKeyId?: number;
}

export interface TokenPair {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly expiresIn: number;
  readonly session: Session;
  readonly claims: AccessClaims;
}

export interface RegisterInput extends Omit<NewUser, 'passwordHash' | 'projectId'> {
  readonly password: string;
}

const VERIFIED_CACHE_LIMIT = 50_000;

/**
 * The sign-in flows every contract shares: register, password login, token issue and
 * refresh, and turning a presented credential into a Principal.
 */
export class Auth {
  /** Tokens whose signature and session were checked once, by exact text. */
  private readonly verified = new Map<string, AccessClaims>();
  /** Brute-force protection around checkPassword (set by createCore). */
  loginGuard: LoginGuard = NO_LOGIN_GUARD;
  /** The project's password rules, applied at registration (set by createCore; core/lifecycle). */
  passwordPolicy: { check(project: Project, password: string, context?: { email?: string }): Promise<void> } = { check: async () => undefined };
  /** The second factor (set by createCore; core/lifecycle/mfa.ts). */
  mfa: {
    enrolled(userId: string): Promise<boolean>;
    cachedEnrolled(userId: string): Promise<boolean>;
    challenge(user: User, clientId: string | null): Promise<string | undefined>;
  } = {
    enrolled: async () => false,
    cachedEnrolled: async () => false,
    challenge: async () => undefined,
  };
  /** Plan and credits of a new account unless the input names them (set by createCore; core/plans.ts). */
  newAccountPlan: () => Pick<NewUser, 'plan' | 'credits' | 'planExpiresAt'> = () => ({});
  /** The password step: imported hash formats, equal timing, re-hash after success (set by createCore; core/sign-in-passwords.ts). */
  passwords: {
    verify(projectId: string, user: User | undefined, password: string): Promise<boolean>;
    upgrade(user: User, password: string): void;
  } = {
    verify: (_projectId, user, password) => (user === undefined ? this.hasher.verifyDummy(password) : this.hasher.verify(user.password_hash, password)),
    upgrade: () => undefined,
  };

  constructor(
    private readonly projects: Projects,
    private readonly users: Users,
    private readonly sessions: Sessions,
    private readonly tokens: AccessTokens,
    private readonly hasher: PasswordHasher,
    private readonly revocations: RevocationStore,
    private readonly events: SecurityEvents,
  ) {}

  async register(
    project: Project,
    input: RegisterInput,
    context: SessionContext & { clientId?: string },
  ): Promise<{ user: User; profile: Profile }> {
    const type: ProfileType = input.profileType ?? 'Patient';
    if (!project.self_register_types.includes(type)) {
      throw new GatehouseError(ErrorCode.ProfileTypeNotAllowed, `Profile type ${type} may not self-register in this project`, {
        fields: [{ field: 'type', message: `Profile type ${type} may not self-register in this project` }],
      });
    }
    await this.passwordPolicy.check(project, input.password, { email: input.email });
    const passwordHash = await this.hasher.hash(input.password);
    const { password: _password, ...rest } = input;
    try {
      const created = await this.users.create({ ...this.newAccountPlan(), ...rest, profileType: type, projectId: project.id, passwordHash });
      this.events.emit({ action: 'register', outcome: 'success', projectId: project.id, userId: created.user.id, ...eventContext(context) });
      return created;
    } catch (error) {
      this.events.emit({
        action: 'register',
        outcome: 'failure',
        projectId: project.id,
        detail: { reason: error instanceof GatehouseError ? error.code : 'error' },
        ...eventContext(context),
      });
      throw error;
    }
  }

  /**
   * Checks email and password. An unknown email runs a dummy verification so that it costs
   * the same time as a wrong password, and both fail with the same error.
   */
  async checkPassword(project: Project, email: string, password: string, context: SessionContext & { clientId?: string }): Promise<SignInRecord> {
    await this.loginGuard.check(project.id, email, context.remoteAddress);
    const record = await this.users.forSignIn(project.id, email);
    const ok = await this.passwords.verify(project.id, record?.user, password);
    if (record === undefined || !ok || !record.user.is_active) {
      this.events.emit({
        action: 'login',
        outcome: 'failure',
        projectId: project.id,
        userId: record?.user.id,
        detail: { reason: record === undefined ? 'unknown_email' : ok ? 'inactive' : 'wrong_password' },
        ...eventContext(context),
      });
      await this.loginGuard.failed(project.id, email, context.remoteAddress, record?.user.id);
      throw new GatehouseError(ErrorCode.InvalidCredentials, 'Invalid email or password');
    }
    const { user } = record;
    await this.loginGuard.succeeded(project.id, email, context.remoteAddress);
    this.passwords.upgrade(user, password);
    // Said only to someone who knows the password, so it reveals nothing about the address.
    if (project.settings.requireVerifiedEmail === true && !user.email_verified) {
      this.events.emit({ action: 'login', outcome: 'failure', projectId: project.id, userId: user.id, detail: { reason: 'email_not_verified' }, ...eventContext(context) });
      throw new GatehouseError(ErrorCode.EmailNotVerified, 'Email address not verified', { fields: [{ field: 'email', message: 'Email address not verified' }] });
    }
    return record;
  }

  /**
   * After a correct password: the MFA challenge to answer when the user has a second factor,
   * undefined when it may be signed in straight away.
   */
  async secondFactor(record: SignInRecord, clientId: string | null): Promise<string | undefined> {
    return record.mfaEnrolled ? this.mfa.challenge(record.user, clientId) : undefined;
  }

  /** Opens a bearer-token session: an access JWT plus a rotating refresh token. */
  async issueTokens(user: User, profile: Profile, project: Project, client: Client, context: SessionContext & { authMethod?: string }): Promise<TokenPair> {
    const { session, secret } = await this.sessions.create(this.tokenSession(user, project, client, context));
    return this.accessFor(session, secret, profile, project);
  }

  /**
   * Signs a user in with a new token session. The same statement records the login and calls
   * off a scheduled deletion; the answer is the user as it now is.
   */
  async signInWithTokens(
    user: User,
    profile: Profile,
    project: Project,
    client: Client,
    context: SessionContext & { authMethod?: string },
  ): Promise<{ user: User; tokens: TokenPair }> {
    const { user: signedIn, session, secret } = await this.signIn(user, this.tokenSession(user, project, client, context), context);
    return { user: signedIn, tokens: await this.accessFor(session, secret, profile, project) };
  }

  /** Signs a user in with a new cookie session (see signInWithTokens). */
  async signInWithCookie(
    user: User,
    client: Client,
    options: { remember: boolean; ttlSeconds: number },
    context: SessionContext,
  ): Promise<{ user: User; session: Session; secret: string }> {
    return this.signIn(
      user,
      { projectId: client.project_id, userId: user.id, clientId: client.id, kind: 'cookie', remember: options.remember, ttlSeconds: options.ttlSeconds, ...context },
      { ...context, clientId: client.id },
    );
  }

  private async signIn(user: User, session: NewSession, context: SessionContext & { clientId?: string }): Promise<{ user: User; session: Session; secret: string }> {
    const at = new Date();
    const created = await this.sessions.create({ ...session, signIn: { at, cancelDeletion: user.deletion_scheduled_at !== null } });
    this.users.forget(user.id);
    this.events.emit({ action: 'login', outcome: 'success', projectId: user.project_id, userId: user.id, ...eventContext({ ...context, clientId: session.clientId ?? undefined }) });
    return { ...created, user: { ...user, last_login_at: at, updated_at: at, deletion_scheduled_at: null } };
  }

  private tokenSession(user: User, project: Project, client: Client, context: SessionContext & { authMethod?: string }): NewSession {
    return {
      projectId: project.id,
      userId: user.id,
      clientId: client.id,
      kind: 'token',
      authMethod: context.authMethod ?? 'password',
      remoteAddress: context.remoteAddress,
      userAgent: context.userAgent,
      ttlSeconds: project.refresh_token_ttl_seconds,
    };
  }

  async refresh(refreshToken: string, context: SessionContext): Promise<TokenPair> {
    try {
      const { session, secret } = await this.sessions.rotate(refreshToken, context);
      const project = await this.projects.get(session.project_id);
      // Only the profile's reference goes into the token, and it never changes: a cached read is exact.
      const profile = await this.users.cachedProfileOf(session.user_id);
      this.events.emit({ action: 'refresh', outcome: 'success', projectId: project.id, userId: session.user_id, sessionId: session.id, ...eventContext(context) });
      return await this.accessFor(session, secret, profile, project);
    } catch (error) {
      if (error instanceof GatehouseError && error.extra.data?.replay === true) {
        this.events.emit({
          action: 'refresh_replay',
          outcome: 'failure',
          userId: String(error.extra.data.userId),
          sessionId: String(error.extra.data.sessionId),
          ...eventContext(context),
        });
      }
      throw error;
    }
  }

  /** A valid, unrevoked access token's principal, or Unauthenticated. */
  async authenticateBearer(token: string): Promise<Principal> {
    let claims = this.verified.get(token);
    if (claims === undefined) {
      claims = await this.tokens.verify(token);
      // First sight of this token in this process: make sure its session still exists and is live
      // (covers restarts and sessions deleted with their user).
      const session = await this.sessions.get(claims.sid);
      // Every claim an endpoint acts on must agree with the session it names, so a token is never
      // more than the session it was issued for.
      if (
        session === undefined ||
        session.revoked_at !== null ||
        session.user_id !== claims.sub ||
        session.project_id !== claims.project_id ||
        (session.client_id ?? '') !== claims.aud
      ) {
        throw new GatehouseError(ErrorCode.Unauthenticated, 'Session is no longer valid');
      }
      this.remember(token, claims);
    } else if (claims.exp * 1000 <= Date.now()) {
      this.verified.delete(token);
      throw new GatehouseError(ErrorCode.Unauthenticated, 'Access token expired');
    }
    if (await this.revocations.isRevoked(claims.sid)) {
      throw new GatehouseError(ErrorCode.Unauthenticated, 'Session was revoked');
    }
    return { userId: claims.sub, projectId: claims.project_id, sessionId: claims.sid, clientId: claims.aud, via: 'bearer' };
  }

  async authenticateCookie(secret: string): Promise<Principal> {
    const session = await this.sessions.byCookie(secret);
    if (await this.revocations.isRevoked(session.id)) throw new GatehouseError(ErrorCode.Unauthenticated, 'Session was revoked');
    return { userId: session.user_id, projectId: session.project_id, sessionId: session.id, clientId: session.client_id, via: 'cookie' };
  }

  async logout(principal: Principal, context: SessionContext): Promise<void> {
    if (principal.sessionId === null) return;
    await this.sessions.revoke([principal.sessionId], 'logout');
    this.events.emit({
      action: 'logout',
      outcome: 'success',
      projectId: principal.projectId,
      userId: principal.userId,
      sessionId: principal.sessionId,
      ...eventContext(context),
    });
  }

  /** Whether the user has a confirmed second factor, for display (read-cached; see READ_CACHE_TTL_MS). */
  async mfaEnrolled(userId: string): Promise<boolean> {
    return this.mfa.cachedEnrolled(userId);
  }

  private async accessFor(session: Session, refreshToken: string, profile: Profile, project: Project): Promise<TokenPair> {
    const ttlSeconds = project.access_token_ttl_seconds;
    const { token, claims } = await this.tokens.issue({
      userId: session.user_id,
      clientId: session.client_id ?? '',
      sessionId: session.id,
      projectId: project.id,
      profile: profileReference(profile),
      ttlSeconds,
    });
    this.remember(token, claims);
    return { accessToken: token, refreshToken, expiresIn: ttlSeconds, session, claims };
  }

  private remember(token: string, claims: AccessClaims): void {
    if (this.verified.size >= VERIFIED_CACHE_LIMIT) {
      const oldest = this.verified.keys().next();
      if (oldest.done !== true) this.verified.delete(oldest.value);
    }
    this.verified.set(token, claims);
  }
}

function eventContext(context: SessionContext & { clientId?: string }): {
  remoteAddress?: string | undefined;
  userAgent?: string | undefined;
  clientId?: string | undefined;
} {
  return { remoteAddress: context.remoteAddress, userAgent: context.userAgent, clientId: context.clientId };
}
