import type { FastifyInstance } from 'fastify';
import { json } from '../helpers/app.ts';
import { uniqueEmail } from '../helpers/ovok.ts';

export const PASSWORD = 'correct-horse-42';

export interface PmUser {
  id: number;
  name: string;
  email: string;
  company: string | null;
  timezone: string;
  credits: number;
  role: string;
  plan: string;
  created_at: string;
  last_login_at: string | null;
}

export interface Registered {
  success: boolean;
  data: {
    user: PmUser;
    api_key: { key: string; name: string; is_primary: boolean; created_at: string };
    session: { remember: boolean; expires_at: string };
    subscription: { plan: string; credits: number; expires_at: string };
  };
}

export interface ListedKey {
  id: number;
  name: string;
  masked_key: string;
  key: string;
  is_primary: boolean;
  is_active: boolean;
  permissions: string[] | null;
  last_used_at: string | null;
  expires_at: string | null;
  created_at: string;
}

export interface Laravel422 {
  message: string;
  errors: Record<string, string[]>;
}

/** Laravel's JSON date: microseconds, UTC. */
export const LARAVEL_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

export function registration(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'John Doe',
    email: uniqueEmail('pm'),
    password: PASSWORD,
    password_confirmation: PASSWORD,
    company: null,
    timezone: null,
    ...overrides,
  };
}

/** Registers through /v1/auth/register; returns the body and the session cookie (name=value). */
export async function register(
  app: FastifyInstance,
  overrides: Record<string, unknown> = {},
): Promise<{ body: Registered; cookie: string; email: string }> {
  const payload = registration(overrides);
  const response = await app.inject({ method: 'POST', url: '/v1/auth/register', payload });
  if (response.statusCode !== 201) throw new Error(`register failed: ${response.statusCode} ${response.body}`);
  return { body: json<Registered>(response), cookie: cookieOf(response.headers['set-cookie']), email: String(payload.email) };
}

/** `name=value` of the first Set-Cookie header. */
export function cookieOf(header: string | string[] | undefined): string {
  const first = Array.isArray(header) ? header[0] : header;
  if (first === undefined) throw new Error('no Set-Cookie header');
  return first.split(';')[0] ?? '';
}

/** Set-Cookie attributes, lower-cased names: { 'max-age': '7200', httponly: true, ... }. */
export function cookieAttributes(header: string | string[] | undefined): Record<string, string | true> {
  const first = Array.isArray(header) ? header[0] : header;
  const out: Record<string, string | true> = {};
  for (const part of (first ?? '').split(';').slice(1)) {
    const [name = '', ...value] = part.trim().split('=');
    out[name.toLowerCase()] = value.length === 0 ? true : value.join('=');
  }
  return out;
}
