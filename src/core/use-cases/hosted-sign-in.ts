import { BrowserSessions } from '../oidc/browser-sessions.ts';
import type { ProfileType } from '../projects.ts';
import type { SessionContext } from '../sessions.ts';
import type { AuthorizationStep, Authorization, Browser } from './authorization.ts';
import type { Registration } from './registration.ts';
import type { CookieSession, SignIn } from './sign-in.ts';
import { DEFAULT_TENANT, type TenantRef, type Tenants } from './tenants.ts';

/** Where the hosted pages' sign-in happens: an authorization request's interaction, or a project directly. */
export interface HostedTarget {
  readonly interactionId?: string | undefined;
  /** Without an interaction: the project signed in to (the default one when absent). */
  readonly tenant?: TenantRef | undefined;
  readonly browser: Browser;
  readonly context: SessionContext;
}

export type HostedResult =
  | { readonly kind: 'mfa'; readonly challenge: string }
  /** Signed in: the browser cookie's new secrets, and the authorization request's next step if there is one. */
  | { readonly kind: 'signed-in'; readonly email: string; readonly sso: readonly string[]; readonly next: AuthorizationStep | undefined };

export interface HostedAccount {
  readonly email: string;
  readonly password: string;
  readonly firstName?: string | undefined;
  readonly lastName?: string | undefined;
}

/**
 * The hosted pages' sign-in, second factor and sign-up: the same use cases as the contracts
 * (lockout, rate limits, MFA, audit), opening a browser (SSO) session instead of tokens, then
 * continuing the authorization request that sent the user here.
 */
export class HostedSignIn {
  constructor(
    private readonly deps: {
      readonly tenants: Tenants;
      readonly signIn: SignIn;
      readonly registration: Registration;
      readonly authorization: Authorization;
      readonly browserSessions: BrowserSessions;
    },
  ) {}

  async password(target: HostedTarget, email: string, password: string): Promise<HostedResult> {
    const tenant = await this.tenantOf(target, true);
    const result = await this.deps.signIn.withPassword({ tenant, email, password, session: { kind: 'sso' }, context: target.context });
    if ('mfaChallenge' in result) return { kind: 'mfa', challenge: result.mfaChallenge };
    return this.opened(target, result.project.id, result.cookie, result.user.email);
  }

  async mfaCode(target: HostedTarget, challenge: string, code: string): Promise<HostedResult> {
    const tenant = await this.tenantOf(target, true);
    const result = await this.deps.signIn.withMfaCode({ challenge, code, tenant, session: { kind: 'sso' }, context: target.context });
    return this.opened(target, result.project.id, result.cookie, result.user.email);
  }

  /** Self-registration (when the project allows it), signed in at once. */
  async register(target: HostedTarget, account: HostedAccount): Promise<HostedResult> {
    const tenant = await this.tenantOf(target);
    const project = await this.deps.tenants.project(tenant);
    const types = project.self_register_types as ProfileType[];
    const profileType: ProfileType = types.includes('Patient') || types.length === 0 ? 'Patient' : (types[0] as ProfileType);
    const registered = await this.deps.registration.register({
      tenant,
      account: {
        email: account.email,
        password: account.password,
        firstName: account.firstName ?? '',
        lastName: account.lastName ?? '',
        profileType,
      },
      session: { kind: 'sso' },
      context: target.context,
    });
    return this.opened(target, registered.project.id, registered.cookie, registered.user.email);
  }

  /**
   * The tenant of the sign-in: the interaction's client (checked to be this browser's), or the one
   * given. `signIn`: password and code steps, where the console's client may serve the operators'
   * system project (Tenants checks it is that client); sign-up and the rest never do.
   */
  async tenantOf(target: HostedTarget, signIn = false): Promise<TenantRef> {
    if (target.interactionId === undefined) return target.tenant ?? DEFAULT_TENANT;
    const view = await this.deps.authorization.interaction(target.interactionId, target.browser);
    return signIn ? { clientId: view.client.id, hostedSignIn: true } : { clientId: view.client.id };
  }

  private async opened(target: HostedTarget, projectId: string, cookie: CookieSession, email: string): Promise<HostedResult> {
    const previous = await this.deps.browserSessions.current(target.browser.sso, projectId);
    if (previous !== undefined && previous.id !== cookie.session.id) await this.deps.browserSessions.replace(previous, cookie.session);
    const sso = BrowserSessions.add(target.browser.sso, cookie.secret);
    const browser = { binding: target.browser.binding, sso };
    const next =
      target.interactionId === undefined
        ? undefined
        : await this.deps.authorization.signedIn(target.interactionId, browser, cookie.session, target.context);
    return { kind: 'signed-in', email, sso, next };
  }
}
