import { isApiKey, type ApiKeys } from '../api-keys.ts';
import type { Auth, Principal } from '../auth.ts';
import { ErrorCode, GatehouseError } from '../errors.ts';
import type { Projects } from '../projects.ts';
import type { SessionContext } from '../sessions.ts';
import type { TenantRef, Tenants } from './tenants.ts';

/** The kinds of credential a route may accept. */
export type CredentialKind = 'bearer' | 'api_key' | 'cookie';

/**
 * A credential as the request presented it. A bearer token may be an access token or, told by
 * its prefix, an API key (PixelMover accepts keys in `Authorization: Bearer`).
 */
export type PresentedCredential =
  | { readonly kind: 'bearer'; readonly token: string }
  | { readonly kind: 'api_key'; readonly key: string }
  | { readonly kind: 'cookie'; readonly secret: string };

/** No usable credential at all (FastAPI tells this apart: "Not authenticated"). */
export function missingCredential(): GatehouseError {
  return new GatehouseError(ErrorCode.Unauthenticated, 'Not authenticated', { data: { reason: 'missing' } });
}

/** Turning presented credentials into a Principal, and ending the session one stands for. */
export class Credentials {
  constructor(
    private readonly deps: { readonly auth: Auth; readonly apiKeys: ApiKeys; readonly tenants: Tenants; readonly projects: Projects },
  ) {}

  /**
   * The caller a credential stands for. A credential that is presented but bad is refused,
   * never skipped. With a tenant, the credential must belong to that project.
   */
  async authenticate(
    presented: PresentedCredential | undefined,
    options: { readonly accept: readonly CredentialKind[]; readonly tenant?: TenantRef; readonly systemProject?: boolean },
  ): Promise<Principal> {
    if (presented === undefined) throw missingCredential();
    const principal = await this.principalOf(presented, options.accept);
    // Operators' sessions (the system project) open the console only, never a contract.
    if ((await this.deps.projects.get(principal.projectId)).kind === 'system' && options.systemProject !== true) {
      throw new GatehouseError(ErrorCode.Unauthenticated, 'Operator credentials are not accepted here');
    }
    if (options.tenant !== undefined && principal.projectId !== (await this.deps.tenants.projectId(options.tenant))) {
      throw new GatehouseError(ErrorCode.Unauthenticated, 'Credential belongs to another project');
    }
    return principal;
  }

  /** Ends the session the caller signed in with; an API key is not a session, so it stays valid. */
  async logout(principal: Principal, context: SessionContext): Promise<void> {
    if (principal.via === 'api_key') return;
    await this.deps.auth.logout(principal, context);
  }

  private principalOf(presented: PresentedCredential, accept: readonly CredentialKind[]): Promise<Principal> {
    switch (presented.kind) {
      case 'bearer':
        if (accept.includes('api_key') && isApiKey(presented.token)) return this.deps.apiKeys.authenticate(presented.token);
        return this.deps.auth.authenticateBearer(presented.token);
      case 'api_key':
        return this.deps.apiKeys.authenticate(presented.key);
      case 'cookie':
        return this.deps.auth.authenticateCookie(presented.secret);
    }
  }
}

/** Refuses callers that may not manage the account's credentials: an API key limited to some permissions. */
export function assertMayManage(principal: Principal): void {
  if (principal.via === 'api_key' && principal.restricted === true) {
    throw new GatehouseError(ErrorCode.Forbidden, 'A restricted API key cannot manage the account');
  }
}
