import type { FastifyInstance, InjectOptions } from 'fastify';
import { json } from '../helpers/app.ts';

export const API = '/api/v1';

/** A real multipart/form-data body (bytes and content type), as `curl --form` sends one. */
export async function multipart(fields: Record<string, string>): Promise<{ payload: Buffer; headers: Record<string, string> }> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  const request = new Request('http://localhost/', { method: 'POST', body: form });
  return { payload: Buffer.from(await request.arrayBuffer()), headers: { 'content-type': request.headers.get('content-type') ?? '' } };
}

/** An application/x-www-form-urlencoded body. */
export function urlencoded(fields: Record<string, string>): { payload: string; headers: Record<string, string> } {
  return { payload: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } };
}

let counter = 0;
/** Register fields for a new, unique user (account and email are unique per call). */
export function newUser(overrides: Record<string, string> = {}): Record<string, string> {
  counter += 1;
  const tag = `${process.pid.toString(36)}${Date.now().toString(36)}${counter}`;
  return {
    name: 'Jinu Tester',
    account: `u${tag}`.slice(0, 32),
    email: `jinu.${tag}@example.com`,
    password: 'yourpassword',
    password_confirm: 'yourpassword',
    ...overrides,
  };
}

export interface PublicUser {
  name: string;
  email: string;
  account: string | null;
  id: string;
  roles: string;
  is_active: boolean;
  is_verified: boolean;
  is_superuser: boolean;
  bio: string | null;
  dob: string | null;
  phone: string | null;
  avatar_photo_id: string | null;
  deleted_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface Tokens {
  access_token: string;
  refresh_token: string;
  token_type: string;
}

export async function register(app: FastifyInstance, fields: Record<string, string> = newUser()): Promise<PublicUser> {
  const response = await app.inject({ method: 'POST', url: `${API}/auth/register`, ...urlencoded(fields) });
  if (response.statusCode !== 201) throw new Error(`register failed: ${response.statusCode} ${response.body}`);
  return json<PublicUser>(response);
}

export async function login(app: FastifyInstance, email: string, password = 'yourpassword'): Promise<Tokens> {
  const response = await app.inject({ method: 'POST', url: `${API}/auth/login`, payload: { email, password } });
  if (response.statusCode !== 200) throw new Error(`login failed: ${response.statusCode} ${response.body}`);
  return json<Tokens>(response);
}

/** Registers and logs in a new user. */
export async function signedIn(
  app: FastifyInstance,
  overrides: Record<string, string> = {},
): Promise<{ user: PublicUser; tokens: Tokens; fields: Record<string, string> }> {
  const fields = newUser(overrides);
  const user = await register(app, fields);
  return { user, tokens: await login(app, fields.email!, fields.password), fields };
}

export function bearer(token: string): InjectOptions['headers'] {
  return { authorization: `Bearer ${token}` };
}
