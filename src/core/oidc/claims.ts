import { profileReference, type Profile, type User } from '../users.ts';

/**
 * The user's claims that the granted scopes release (OpenID Connect Core §5.4; SMART's fhirUser),
 * alike in ID tokens and at userinfo.
 */
export interface UserClaims {
  name?: string;
  given_name?: string;
  family_name?: string;
  updated_at?: number;
  email?: string;
  email_verified?: boolean;
  fhirUser?: string;
}

export function userClaims(user: User, profile: Profile, scope: readonly string[]): UserClaims {
  const claims: UserClaims = {};
  if (scope.includes('profile')) {
    const name = `${user.first_name} ${user.last_name}`.trim();
    if (name !== '') claims.name = name;
    if (user.first_name !== '') claims.given_name = user.first_name;
    if (user.last_name !== '') claims.family_name = user.last_name;
    claims.updated_at = Math.floor(user.updated_at.getTime() / 1000);
  }
  if (scope.includes('email')) {
    claims.email = user.email;
    claims.email_verified = user.email_verified;
  }
  if (scope.includes('fhirUser')) claims.fhirUser = profileReference(profile);
  return claims;
}

/** RFC 8176 authentication method references of a session's sign-in. */
export function amrOf(authMethod: string): string[] {
  if (authMethod === 'password+totp') return ['pwd', 'otp', 'mfa'];
  if (authMethod === 'password+recovery_code') return ['pwd', 'mfa'];
  return ['pwd'];
}

/** The claims OpenID discovery lists. */
export const CLAIMS_SUPPORTED = [
  'iss',
  'sub',
  'aud',
  'exp',
  'iat',
  'auth_time',
  'nonce',
  'sid',
  'amr',
  'name',
  'given_name',
  'family_name',
  'updated_at',
  'email',
  'email_verified',
  'fhirUser',
] as const;
