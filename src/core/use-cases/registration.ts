import type { Auth, RegisterInput } from '../auth.ts';
import type { IssuedApiKey } from '../api-keys.ts';
import type { SessionContext } from '../sessions.ts';
import type { User, Users } from '../users.ts';
import type { Opened, SessionOptions, SignIn } from './sign-in.ts';
import type { Tenant, TenantRef, Tenants } from './tenants.ts';
import type { Profile } from '../users.ts';

export interface RegisterRequest<S extends SessionOptions | undefined, K extends { readonly name: string } | undefined> {
  readonly tenant: TenantRef;
  readonly account: RegisterInput;
  /**
   * The session the new user gets at once. Tokens are issued without recording a sign-in (Ovok
   * answers tokens to a registration); a cookie session is a sign-in (PixelMover's Auth::login).
   */
  readonly session?: S;
  /** The account's first, primary API key, created atomically with the user. */
  readonly apiKey?: K;
  readonly context: SessionContext;
}

export type Registered<S extends SessionOptions | undefined, K extends { readonly name: string } | undefined> = Tenant & {
  readonly user: User;
  readonly profile: Profile;
  readonly apiKey: K extends { readonly name: string } ? IssuedApiKey : undefined;
} & (S extends SessionOptions ? Opened<S> : unknown);

/** Self-registration into a project, with whatever a contract hands a new user. */
export class Registration {
  constructor(private readonly deps: { readonly tenants: Tenants; readonly users: Users; readonly auth: Auth; readonly signIn: SignIn }) {}

  async register<S extends SessionOptions | undefined = undefined, K extends { readonly name: string } | undefined = undefined>(
    request: RegisterRequest<S, K>,
  ): Promise<Registered<S, K>> {
    const { project, client } = await this.deps.tenants.resolve(request.tenant);
    const context = { ...request.context, clientId: client.id };
    const options = request.apiKey === undefined ? {} : { apiKey: request.apiKey };
    const { user, profile, apiKey } = await this.deps.auth.register(project, request.account, context, options);
    const base = { project, client, user, profile, apiKey };
    const session: SessionOptions | undefined = request.session;
    if (session === undefined) return base as unknown as Registered<S, K>;
    if (session.kind === 'tokens') {
      return { ...base, tokens: await this.deps.auth.issueTokens(user, profile, project, client, context) } as unknown as Registered<S, K>;
    }
    const signedIn = await this.deps.signIn.open(user, profile, project, client, session, request.context, 'password');
    return { ...base, user: signedIn.user, cookie: signedIn.cookie } as unknown as Registered<S, K>;
  }

  /** Whether an address already has an account in the project (PixelMover's `unique` rule). */
  async emailTaken(tenant: TenantRef, email: string): Promise<boolean> {
    const projectId = await this.deps.tenants.projectId(tenant);
    return (await this.deps.users.byEmail(projectId, email)) !== undefined;
  }
}
