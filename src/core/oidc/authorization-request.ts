import type { Client } from '../projects.ts';
import { grantable, isScopeToken, parseScope } from './scopes.ts';

/** Request parameters as they came (query string or form body): a repeated one is an array. */
export type RawParams = Readonly<Record<string, string | readonly string[] | undefined>>;

/** An authorization request after every check: what the interaction stores and the code binds. */
export interface AuthorizationParams {
  readonly clientId: string;
  readonly redirectUri: string;
  /** The scopes to grant: those asked for that the client may have. */
  readonly scope: readonly string[];
  readonly state?: string;
  readonly nonce?: string;
  readonly codeChallenge?: string;
  readonly prompt: readonly ('none' | 'login' | 'consent' | 'select_account')[];
  readonly maxAge?: number;
  readonly loginHint?: string;
  readonly uiLocales?: string;
  readonly idTokenHint?: string;
}

/** RFC 6749 §4.1.2.1 error codes sent back to the client's redirect URI. */
export type AuthorizationErrorCode =
  | 'invalid_request'
  | 'unauthorized_client'
  | 'access_denied'
  | 'unsupported_response_type'
  | 'invalid_scope'
  | 'server_error'
  | 'login_required'
  | 'consent_required'
  | 'interaction_required'
  | 'request_not_supported'
  | 'request_uri_not_supported';

export interface AuthorizationError {
  readonly error: AuthorizationErrorCode;
  readonly description: string;
}

export type CheckedRequest =
  | { readonly kind: 'ok'; readonly params: AuthorizationParams }
  /** Sent back to the (registered, exactly matched) redirect URI. */
  | { readonly kind: 'error'; readonly redirectUri: string; readonly state: string | undefined; readonly failure: AuthorizationError };

const CHALLENGE = /^[A-Za-z0-9_-]{43,128}$/;
const PROMPTS = ['none', 'login', 'consent', 'select_account'] as const;

function single(params: RawParams, name: string): string | undefined | null {
  const value = params[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') return null;
  return value === '' ? undefined : value;
}

/**
 * Checks an authorization request whose client and redirect URI were already trusted (see
 * Authorization.begin): everything else is reported to that redirect URI.
 */
export function checkAuthorizationRequest(client: Client, redirectUri: string, raw: RawParams): CheckedRequest {
  const stateValue = single(raw, 'state');
  const state = typeof stateValue === 'string' ? stateValue : undefined;
  const fail = (error: AuthorizationErrorCode, description: string): CheckedRequest => ({
    kind: 'error',
    redirectUri,
    state,
    failure: { error, description },
  });
  for (const [name, value] of Object.entries(raw)) {
    if (value !== undefined && typeof value !== 'string') return fail('invalid_request', `${name} is given more than once`);
  }
  const text = (name: string, max: number): string | undefined => {
    const value = single(raw, name);
    return typeof value === 'string' && value.length <= max ? value : undefined;
  };
  if (raw.request !== undefined) return fail('request_not_supported', 'Request objects are not supported');
  if (raw.request_uri !== undefined) return fail('request_uri_not_supported', 'request_uri is not supported');
  if (state !== undefined && state.length > 4096) return fail('invalid_request', 'state is too long');
  const responseType = single(raw, 'response_type');
  if (responseType === undefined) return fail('invalid_request', 'response_type is required');
  if (responseType !== 'code') return fail('unsupported_response_type', 'Only response_type=code is supported');
  const responseMode = single(raw, 'response_mode');
  if (responseMode !== undefined && responseMode !== 'query') return fail('invalid_request', 'Only response_mode=query is supported');
  if (!client.grant_types.includes('authorization_code'))
    return fail('unauthorized_client', 'The client may not use the authorization code grant');

  const requested = parseScope(single(raw, 'scope') ?? undefined);
  if (requested.some((scope) => !isScopeToken(scope))) return fail('invalid_scope', 'scope is malformed');
  const scope = grantable(requested, client.scopes);
  if (scope.length === 0)
    return fail('invalid_scope', requested.length === 0 ? 'scope is required' : 'None of the requested scopes is allowed for this client');

  const method = single(raw, 'code_challenge_method');
  const challenge = single(raw, 'code_challenge');
  if (method !== undefined && method !== 'S256') return fail('invalid_request', 'code_challenge_method must be S256');
  if (challenge === null || (challenge !== undefined && !CHALLENGE.test(challenge)))
    return fail('invalid_request', 'code_challenge is malformed');
  if (challenge !== undefined && method === undefined)
    return fail('invalid_request', 'code_challenge_method=S256 is required (plain is not supported)');
  if (challenge === undefined && method !== undefined)
    return fail('invalid_request', 'code_challenge is required with code_challenge_method');
  if (challenge === undefined && client.client_type !== 'confidential')
    return fail('invalid_request', 'PKCE (code_challenge with S256) is required for public clients');

  const prompt = (single(raw, 'prompt') ?? '').split(' ').filter((part) => part !== '');
  if (prompt.some((part) => !(PROMPTS as readonly string[]).includes(part)))
    return fail('invalid_request', 'prompt has an unsupported value');
  if (prompt.includes('none') && prompt.length > 1) return fail('invalid_request', 'prompt=none cannot be combined with other values');

  const maxAgeText = single(raw, 'max_age');
  if (maxAgeText === null || (maxAgeText !== undefined && !/^\d{1,9}$/.test(maxAgeText)))
    return fail('invalid_request', 'max_age must be a non-negative integer');
  const nonce = single(raw, 'nonce');
  if (nonce === null || (nonce !== undefined && nonce.length > 512)) return fail('invalid_request', 'nonce is too long');

  const loginHint = text('login_hint', 320);
  const uiLocales = text('ui_locales', 200);
  const idTokenHint = text('id_token_hint', 8192);
  return {
    kind: 'ok',
    params: {
      clientId: client.id,
      redirectUri,
      scope,
      prompt: prompt as AuthorizationParams['prompt'],
      ...(state !== undefined && { state }),
      ...(nonce !== undefined && { nonce }),
      ...(challenge !== undefined && { codeChallenge: challenge }),
      ...(maxAgeText !== undefined && { maxAge: Number(maxAgeText) }),
      ...(loginHint !== undefined && { loginHint }),
      ...(uiLocales !== undefined && { uiLocales }),
      ...(idTokenHint !== undefined && { idTokenHint }),
    },
  };
}

/** The client's redirect URI with the response parameters added (and `iss`, RFC 9207). */
export function redirectWith(redirectUri: string, values: Readonly<Record<string, string | undefined>>): string {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(values)) if (value !== undefined) url.searchParams.append(name, value);
  return url.toString();
}
