/**
 * OAuth scopes: the OpenID Connect ones, and SMART App Launch's (v1 `patient/Observation.read`,
 * v2 `patient/*.rs`). A client lists the scopes it may be granted; a request gets what it asks
 * for within that list (a SMART resource scope is within `patient/*.rs` when its context matches,
 * its resource type is covered and its permissions are a subset).
 */
export const OIDC_SCOPES = ['openid', 'profile', 'email', 'offline_access'] as const;
export const SMART_SCOPES = ['fhirUser', 'launch/patient'] as const;
/** Every scope Gatehouse knows that is not a SMART resource scope. */
export const KNOWN_SCOPES: readonly string[] = [...OIDC_SCOPES, ...SMART_SCOPES];

/** Scopes that name a user: never granted to a client acting for itself (client_credentials). */
const USER_SCOPES = new Set(['openid', 'profile', 'email', 'offline_access', 'fhirUser', 'launch/patient']);

const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;
const RESOURCE_SCOPE = /^(patient|user|system)\/(\*|[A-Z][A-Za-z]{0,63})\.(read|write|\*|c?r?u?d?s?)(\?[\x21\x23-\x5b\x5d-\x7e]*)?$/;

export function parseScope(scope: string | undefined): string[] {
  if (scope === undefined) return [];
  return [...new Set(scope.split(' ').filter((part) => part !== ''))];
}

export function isScopeToken(scope: string): boolean {
  return SCOPE_TOKEN.test(scope);
}

export function isResourceScope(scope: string): boolean {
  const match = RESOURCE_SCOPE.exec(scope);
  return match !== null && match[3] !== '';
}

/** A scope a client may be registered with: a known one or a SMART resource scope. */
export function isRegistrableScope(scope: string): boolean {
  return KNOWN_SCOPES.includes(scope) || isResourceScope(scope);
}

/** v1 permissions in v2 letters: read = rs, write = cud, * = cruds. */
function permissions(raw: string): Set<string> {
  const letters = raw === 'read' ? 'rs' : raw === 'write' ? 'cud' : raw === '*' ? 'cruds' : raw;
  return new Set(letters.split(''));
}

/** Whether an allowed scope covers a requested one. */
export function covers(allowed: string, requested: string): boolean {
  if (allowed === requested) return true;
  const want = RESOURCE_SCOPE.exec(requested);
  const have = RESOURCE_SCOPE.exec(allowed);
  if (want === null || have === null || want[3] === '' || have[3] === '') return false;
  // A query-restricted allowance (`patient/Observation.rs?category=...`) covers only itself.
  if (have[4] !== undefined) return false;
  if (want[1] !== have[1] || (have[2] !== '*' && have[2] !== want[2])) return false;
  const granted = permissions(have[3] ?? '');
  return [...permissions(want[3] ?? '')].every((letter) => granted.has(letter));
}

/** The requested scopes the client may have, in the order asked; others are left out. */
export function grantable(requested: readonly string[], allowed: readonly string[], options: { forClient?: boolean } = {}): string[] {
  return requested.filter((scope) => {
    if (options.forClient === true && USER_SCOPES.has(scope)) return false;
    if (options.forClient !== true && scope.startsWith('system/')) return false;
    return allowed.some((allowance) => covers(allowance, scope));
  });
}

export function hasScope(scope: string | null | undefined, name: string): boolean {
  return parseScope(scope ?? undefined).includes(name);
}
