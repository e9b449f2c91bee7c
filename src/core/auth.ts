import type { LoginGuard } from './abuse/brute-force.ts';
import { ErrorCode, GatehouseError } from './errors.ts';
import type { SecurityEvents } from './events.ts';
import type { PasswordHasher } from './passwords.ts';
import type { Client, Project, Projects, ProfileType } from './projects.ts';
import type { RevocationStore } from './revocations.ts';
import type { NewSession, Session, SessionContext, Sessions } from './sessions.ts';
import type { AccessClaims, AccessTokens } from './tokens.ts';
import type { ApiKeys, IssuedApiKey } from './api-keys.ts';
import type { Principal } from './principal.ts';

export type { Principal } from './principal.ts';
import { profileReference, type NewUser, type Profile, type SignInRecord, type User, type Users } from './users.ts';

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

/** The second factor as sign-in needs it (core/lifecycle/mfa.ts). */
export interface SecondFactor {
  cachedEnrolled(userId: string): Promise<boolean>;
  challenge(user: User, clientId: string | null): Promise<string | undefined>;
}

/** Everything Auth works with, injected once (core/index.ts). */
export interface AuthDeps {
  readonly projects: Projects;
  readonly users: Users;
  readonly sessions: Sessions;
  readonly tokens: AccessTokens;
  readonly hasher: PasswordHasher;
  readonly revocations: RevocationStore;
  readonly events: SecurityEvents;
  /** Brute-force protection around checkPassword (core/abuse/brute-force.ts). */
  readonly loginGuard: LoginGuard;
  /** The project's password rules, applied at registration (core/lifecycle/password-policy.ts). */
  readonly passwordPolicy: { check(project: Project, password: string, context?: { email?: string }): Promise<void> };
  readonly mfa: SecondFactor;
  /** Plan and credits of a new account unless the input names them (core/plans.ts). */
  readonly newAccountPlan: () => Pick<NewUser, 'plan' | 'credits' | 'planExpiresAt'>;
  readonly apiKeys: ApiKeys;
  /** The password step: imported hash formats, equal timing, re-hash after success (core/sign-in-passwords.ts). */
  readonly passwords: {
    verify(projectId: string, user: User | undefined, password: string): Promise<boolean>;
    upgrade(user: User, password: string): void;
  };
}

/**
 * The sign-in mechanics every use case shares: creating an account, checking a password,
 * opening token and cookie sessions, refresh, and turning a presented credential into a
 * Principal. Use cases (core/use-cases/) add tenant resolution and ordering on top.
 */
export class Auth {
  /** Tokens whose signature and session were checked once, by exact text. */
  private readonly verified = new Map<string, AccessClaims>();
  private readonly projects: Projects;
  private readonly users: Users;
  private readonly sessions: Sessions;
  private readonly tokens: AccessTokens;
  private readonly hasher: PasswordHasher;
  private readonly revocations: RevocationStore;
  private readonly events: SecurityEvents;

  constructor(private readonly deps: AuthDeps) {
    this.projects = deps.projects;
    this.users = deps.users;
    this.sessions = deps.sessions;
    this.tokens = deps.tokens;
    this.hasher = deps.hasher;
    this.revocations = deps.revocations;
    this.events = deps.events;
  }

  /**
   * Creates an account: the profile type must be allowed to self-register, the email (and the
   * account handle, when given) must be free, checked in that order before the password is hashed,
   * then the project's password rules. With `apiKey`, the account gets its first, primary API key
   * in the same transaction, so a user never exists without it.
   */
  async register(
    project: Project,
    input: RegisterInput,
    context: SessionContext & { clientId?: string },
    options: { apiKey?: { name: string } } = {},
  ): Promise<{ user: User; profile: Profile; apiKey?: IssuedApiKey }> {
    const type: ProfileType = input.profileType ?? 'Patient';
    if (!project.self_register_types.includes(type)) {
      throw new GatehouseError(ErrorCode.ProfileTypeNotAllowed, `Profile type ${type} may not self-register in this project`, {
        fields: [{ field: 'type', message: `Profile type ${type} may not self-register in this project` }],
      });
    }
    try {
      const taken = await this.users.taken(project.id, input.email, input.account ?? undefined);
      if (taken === 'email') throw emailTaken();
      if (taken === 'account') throw accountTaken();
      await this.deps.passwordPolicy.check(project, input.password, { email: input.email });
      const passwordHash = await this.hasher.hash(input.password);
      const { password: _password, ...rest } = input;
      const values = { ...this.deps.newAccountPlan(), ...rest, profileType: type, projectId: project.id, passwordHash };
      const apiKey = options.apiKey;
      const created =
        apiKey === undefined
          ? await this.users.create(values)
          : await this.users.transaction(async (db) => {
              const account = await this.users.create(values, db);
              return {
                ...account,
                apiKey: await this.deps.apiKeys.createFirst(db, { userId: account.user.id, projectId: project.id, name: apiKey.name }),
              };
            });
      this.events.emit({
        action: 'register',
        outcome: 'success',
        projectId: project.id,
        userId: created.user.id,
        ...eventContext(context),
      });
      return created;
    } catch (error) {
      if (error instanceof GatehouseError && error.code === ErrorCode.ProfileTypeNotAllowed) throw error;
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
  async checkPassword(
    project: Project,
    email: string,
    password: string,
    context: SessionContext & { clientId?: string },
  ): Promise<SignInRecord> {
    await this.deps.loginGuard.check(project.id, email, context.remoteAddress);
    const record = await this.users.forSignIn(project.id, email);
    const ok = await this.deps.passwords.verify(project.id, record?.user, password);
    if (record === undefined || !ok || !record.user.is_active) {
      this.events.emit({
        action: 'login',
        outcome: 'failure',
        projectId: project.id,
        userId: record?.user.id,
        detail: { reason: record === undefined ? 'unknown_email' : ok ? 'inactive' : 'wrong_password' },
        ...eventContext(context),
      });
      await this.deps.loginGuard.failed(project.id, email, context.remoteAddress, record?.user.id);
      throw new GatehouseError(ErrorCode.InvalidCredentials, 'Invalid email or password');
    }
    const { user } = record;
    await this.deps.loginGuard.succeeded(project.id, email, context.remoteAddress);
    this.deps.passwords.upgrade(user, password);
    // Said only to someone who knows the password, so it reveals nothing about the address.
    if (project.settings.requireVerifiedEmail === true && !user.email_verified) {
      this.events.emit({
        action: 'login',
        outcome: 'failure',
        projectId: project.id,
        userId: user.id,
        detail: { reason: 'email_not_verified' },
        ...eventContext(context),
      });
      throw new GatehouseError(ErrorCode.EmailNotVerified, 'Email address not verified', {
        fields: [{ field: 'email', message: 'Email address not verified' }],
      });
    }
    return record;
  }

  /**
   * After a correct password: the MFA challenge to answer when the user has a second factor,
   * undefined when it may be signed in straight away.
   */
  async secondFactor(record: SignInRecord, clientId: string | null): Promise<string | undefined> {
    return record.mfaEnrolled ? this.deps.mfa.challenge(record.user, clientId) : undefined;
  }

  /** Opens a bearer-token session: an access JWT plus a rotating refresh token. */
  async issueTokens(
    user: User,
    profile: Profile,
    project: Project,
    client: Client,
    context: SessionContext & { authMethod?: string },
  ): Promise<TokenPair> {
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
    options: { remember: boolean; ttlSeconds: number; kind?: 'cookie' | 'sso' },
    context: SessionContext & { authMethod?: string },
  ): Promise<{ user: User; session: Session; secret: string }> {
    const { authMethod, ...where } = context;
    return this.signIn(
      user,
      {
        projectId: client.project_id,
        userId: user.id,
        clientId: client.id,
        kind: options.kind ?? 'cookie',
        remember: options.remember,
        ttlSeconds: options.ttlSeconds,
        ...where,
        ...(authMethod !== undefined && { authMethod }),
      },
      { ...where, clientId: client.id },
    );
  }

  private async signIn(
    user: User,
    session: NewSession,
    context: SessionContext & { clientId?: string },
  ): Promise<{ user: User; session: Session; secret: string }> {
    const at = new Date();
    const created = await this.sessions.create({ ...session, signIn: { at, cancelDeletion: user.deletion_scheduled_at !== null } });
    this.users.forget(user.id);
    this.events.emit({
      action: 'login',
      outcome: 'success',
      projectId: user.project_id,
      userId: user.id,
      ...eventContext({ ...context, clientId: session.clientId ?? undefined }),
    });
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

  /** Rotates a refresh token; with `projectId`, only a token of that project is accepted (and spent). */
  async refresh(refreshToken: string, context: SessionContext, projectId?: string): Promise<TokenPair> {
    try {
      const { session, secret } = await this.sessions.rotate(refreshToken, context, projectId);
      const project = await this.projects.get(session.project_id);
      // Only the profile's reference goes into the token, and it never changes: a cached read is exact.
      const profile = await this.users.cachedProfileOf(session.user_id);
      this.events.emit({
        action: 'refresh',
        outcome: 'success',
        projectId: project.id,
        userId: session.user_id,
        sessionId: session.id,
        ...eventContext(context),
      });
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
    return {
      userId: claims.sub,
      projectId: claims.project_id,
      sessionId: claims.sid,
      clientId: claims.aud,
      via: 'bearer',
      ...(claims.scope !== undefined && { scope: claims.scope }),
    };
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
    return this.deps.mfa.cachedEnrolled(userId);
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

function emailTaken(): GatehouseError {
  return new GatehouseError(ErrorCode.EmailTaken, 'Email already registered', {
    fields: [{ field: 'email', message: 'Email already registered' }],
  });
}

function accountTaken(): GatehouseError {
  return new GatehouseError(ErrorCode.AccountTaken, 'Account name already taken', {
    fields: [{ field: 'account', message: 'Account name already taken' }],
  });
}

function eventContext(context: SessionContext & { clientId?: string }): {
  remoteAddress?: string | undefined;
  userAgent?: string | undefined;
  clientId?: string | undefined;
} {
  return { remoteAddress: context.remoteAddress, userAgent: context.userAgent, clientId: context.clientId };
}
