import { maskedKey, type ApiKey } from '../../core/api-keys.ts';
import type { Session } from '../../core/sessions.ts';
import { displayName, type User } from '../../core/users.ts';

/** Laravel's JSON date (Carbon, microsecond precision, UTC): `2024-01-01T12:00:00.000000Z`. */
export function laravelDate(date: Date): string;
export function laravelDate(date: Date | null): string | null;
export function laravelDate(date: Date | null): string | null {
  return date === null ? null : date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export function userView(user: User) {
  return {
    id: user.number,
    name: displayName(user),
    email: user.email,
    company: user.company,
    timezone: user.timezone,
    credits: user.credits,
    role: user.role,
    plan: user.plan,
    created_at: laravelDate(user.created_at),
    last_login_at: laravelDate(user.last_login_at),
  };
}

export function subscriptionView(user: User) {
  return { plan: user.plan, credits: user.credits, expires_at: laravelDate(user.plan_expires_at) };
}

export function sessionView(session: Session) {
  return { remember: session.remember, expires_at: laravelDate(session.expires_at) };
}

/** A key as listed: the secret itself is gone, so `key` is the masked form too. */
export function apiKeyView(apiKey: ApiKey) {
  const masked = maskedKey(apiKey);
  return {
    id: apiKey.id,
    name: apiKey.name,
    masked_key: masked,
    key: masked,
    is_primary: apiKey.is_primary,
    is_active: apiKey.is_active && (apiKey.expires_at === null || apiKey.expires_at > new Date()),
    permissions: apiKey.permissions,
    last_used_at: laravelDate(apiKey.last_used_at),
    expires_at: laravelDate(apiKey.expires_at),
    created_at: laravelDate(apiKey.created_at),
  };
}
