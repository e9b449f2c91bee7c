import { timingSafeEqual } from 'node:crypto';
import { ErrorCode, GatehouseError, type FieldProblem } from '../errors.ts';
import type { Client, ClientRegistration, Projects } from '../projects.ts';
import { digest, newSecret } from '../secrets.ts';
import { isRegistrableScope } from './scopes.ts';

export const CLIENT_SECRET_PREFIX = 'ghcs_';
export const GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials'] as const;
export type GrantType = (typeof GRANT_TYPES)[number];
export type ClientType = 'public' | 'confidential';

/** What an operator registers (admin API, CLI); everything but the name is optional. */
export interface ClientInput {
  readonly name: string;
  readonly redirectUris?: readonly string[];
  readonly postLogoutRedirectUris?: readonly string[];
  readonly type?: ClientType;
  readonly grantTypes?: readonly string[];
  readonly scopes?: readonly string[];
  readonly firstParty?: boolean;
  readonly allowedOrigins?: readonly string[];
}

/** A client as registered, and its secret when one was just made (shown once, kept as a hash). */
export interface IssuedClient {
  readonly client: Client;
  readonly secret: string | undefined;
}

/**
 * OAuth registration of client applications (on the `clients` table): redirect URIs matched
 * exactly, post-logout redirect URIs, public or confidential, grant types, allowed scopes,
 * first party (no consent page), and a confidential client's secret, stored as SHA-256.
 */
export class OAuthClients {
  constructor(private readonly projects: Projects) {}

  async register(projectId: string, input: ClientInput): Promise<IssuedClient> {
    const type = input.type ?? 'public';
    const registration = checkRegistration(input, type);
    const secret = type === 'confidential' ? newSecret(CLIENT_SECRET_PREFIX) : undefined;
    const client = await this.projects.createClient(projectId, input.name, input.allowedOrigins ?? [], {
      ...registration,
      ...(secret !== undefined && { secret_hash: digest(secret), secret_rotated_at: new Date() }),
    });
    return { client, secret };
  }

  /** A new secret for a confidential client; the old one stops working at once. */
  async rotateSecret(projectId: string, clientId: string): Promise<IssuedClient> {
    const current = await this.projects.client(clientId);
    if (current.project_id !== projectId) throw new GatehouseError(ErrorCode.ClientNotFound, 'Client application not found');
    if (current.client_type !== 'confidential') throw new GatehouseError(ErrorCode.Conflict, 'Only a confidential client has a secret');
    const secret = newSecret(CLIENT_SECRET_PREFIX);
    const client = await this.projects.updateClient(clientId, { secret_hash: digest(secret), secret_rotated_at: new Date() });
    return { client, secret };
  }

  /** The client a `client_id` names (cached briefly), or InvalidClient. */
  async find(clientId: string): Promise<Client> {
    try {
      return await this.projects.client(clientId);
    } catch (error) {
      if (error instanceof GatehouseError && error.code === ErrorCode.ClientNotFound) throw invalidClient('Unknown client');
      throw error;
    }
  }

  /**
   * Client authentication at the token, revocation and introspection endpoints. A confidential
   * client must present its secret (read fresh, so a rotation counts at once on every instance);
   * a public client presents none.
   */
  async authenticate(clientId: string, secret: string | undefined): Promise<Client> {
    const client = await this.find(clientId);
    if (client.client_type !== 'confidential') {
      if (secret !== undefined) throw invalidClient('A public client has no secret');
      return client;
    }
    if (secret === undefined) throw invalidClient('Client authentication is required');
    const stored = (await this.projects.freshClient(clientId))?.secret_hash ?? null;
    if (stored === null || !timingSafeEqual(Buffer.from(stored), digest(secret))) throw invalidClient('Client authentication failed');
    return client;
  }
}

export function invalidClient(message: string): GatehouseError {
  return new GatehouseError(ErrorCode.InvalidClient, message);
}

/** Redirect URIs are compared as exact strings; this decides which strings may be registered. */
export function redirectUriProblem(uri: string): string | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'must be an absolute URI';
  }
  if (uri.length > 2000) return 'must be at most 2000 characters';
  if (url.hash !== '' || uri.includes('#')) return 'must not contain a fragment';
  if (['javascript:', 'data:', 'vbscript:', 'file:', 'blob:'].includes(url.protocol)) return `must not use ${url.protocol}`;
  if (url.username !== '' || url.password !== '') return 'must not contain credentials';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:') {
    // RFC 9700 §2.1 / RFC 8252 §7.3: plain http only back to the same machine.
    return ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname) ? undefined : 'must use https (http only for localhost)';
  }
  // RFC 8252 §7.1: private-use schemes of native apps are reverse domain names (com.example.app:/cb).
  return /^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+:$/.test(url.protocol)
    ? undefined
    : 'must use https, http on localhost, or a reverse-domain app scheme';
}

function checkRegistration(input: ClientInput, type: ClientType): ClientRegistration {
  const problems: FieldProblem[] = [];
  const uris = (field: string, values: readonly string[] | undefined): string[] => {
    for (const [index, uri] of (values ?? []).entries()) {
      const problem = redirectUriProblem(uri);
      if (problem !== undefined) problems.push({ field: `${field}.${index}`, message: `${uri} ${problem}` });
    }
    return [...new Set(values ?? [])];
  };
  const redirectUris = uris('redirectUris', input.redirectUris);
  const postLogoutRedirectUris = uris('postLogoutRedirectUris', input.postLogoutRedirectUris);
  const grantTypes = [...new Set(input.grantTypes ?? ['authorization_code', 'refresh_token'])];
  for (const grant of grantTypes) {
    if (!(GRANT_TYPES as readonly string[]).includes(grant)) problems.push({ field: 'grantTypes', message: `Unknown grant type ${grant}` });
  }
  if (type === 'public' && grantTypes.includes('client_credentials')) {
    problems.push({ field: 'grantTypes', message: 'client_credentials needs a confidential client' });
  }
  const scopes = [...new Set(input.scopes ?? ['openid', 'profile', 'email', 'offline_access'])];
  for (const scope of scopes) if (!isRegistrableScope(scope)) problems.push({ field: 'scopes', message: `Unknown scope ${scope}` });
  if (problems.length > 0) throw new GatehouseError(ErrorCode.Validation, problems[0]?.message ?? 'Invalid client', { fields: problems });
  return {
    redirect_uris: redirectUris,
    post_logout_redirect_uris: postLogoutRedirectUris,
    client_type: type,
    grant_types: grantTypes,
    scopes,
    first_party: input.firstParty ?? false,
  };
}
