import type { FastifyInstance } from 'fastify';
import { json } from './app.ts';

export interface OvokTokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  project: { reference: string; display: string };
  profile: { reference: string; display: string };
}

let counter = 0;
/** A unique email per call, so tests never collide on one database. */
export function uniqueEmail(prefix = 'user'): string {
  counter += 1;
  return `${prefix}.${process.pid}.${Date.now()}.${counter}@example.com`;
}

export async function ovokRegister(
  app: FastifyInstance,
  clientId: string,
  overrides: Record<string, unknown> = {},
): Promise<{ email: string; password: string; tokens: OvokTokens }> {
  const email = (overrides.email as string | undefined) ?? uniqueEmail();
  const password = (overrides.password as string | undefined) ?? 'password1234';
  const response = await app.inject({
    method: 'POST',
    url: '/auth/register',
    payload: { email, password, clientId, name: 'John', surname: 'Doe', ...overrides },
  });
  if (response.statusCode !== 200) throw new Error(`register failed: ${response.statusCode} ${response.body}`);
  return { email, password, tokens: json<OvokTokens>(response) };
}

export async function ovokLogin(app: FastifyInstance, clientId: string, email: string, password: string): Promise<OvokTokens> {
  const response = await app.inject({ method: 'POST', url: '/v2/auth/login', payload: { email, password, clientId } });
  if (response.statusCode !== 200) throw new Error(`login failed: ${response.statusCode} ${response.body}`);
  return json<OvokTokens>(response);
}
