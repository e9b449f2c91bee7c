import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Databases } from './databases.ts';
import { Child, baseEnv, freePort } from './proc.ts';
import { SEED_PASSWORD } from './seed.ts';

export const SIGN_UP = '/api/auth/sign-up/email';
export const SIGN_IN = '/api/auth/sign-in/email';
export const GET_SESSION = '/api/auth/get-session';

/** Which password hash the peer runs: Gatehouse's argon2id (equal cost) or its own default scrypt. */
export type PeerHash = 'argon2id' | 'scrypt';

export interface Peer {
  readonly hash: PeerHash;
  readonly child: Child;
  readonly baseUrl: string;
  /** Database label in Databases (for the PostgreSQL backends' CPU). */
  readonly label: string;
  /** Users that exist (signed up before the measurements), for sign-in. */
  readonly emails: string[];
  /** Session cookies of some of them, for get-session. */
  readonly cookies: string[];
  stop(): Promise<void>;
}

/** The session cookie better-auth sets, as a Cookie header value. */
export function sessionCookie(setCookies: readonly string[]): string | undefined {
  return setCookies
    .find((c) => c.trim().startsWith('better-auth.session_token='))
    ?.split(';')[0]
    ?.trim();
}

async function signUp(baseUrl: string, email: string): Promise<string> {
  const response = await fetch(`${baseUrl}${SIGN_UP}`, {
    method: 'POST',
    // fetch marks itself as a browser (sec-fetch-mode), and better-auth then wants the page's Origin.
    headers: { 'content-type': 'application/json', origin: baseUrl },
    body: JSON.stringify({ email, password: SEED_PASSWORD, name: 'Bench User' }),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`better-auth sign-up: HTTP ${response.status} ${text.slice(0, 200)}`);
  const cookie = sessionCookie(response.headers.getSetCookie());
  if (cookie === undefined) throw new Error('better-auth sign-up set no session cookie');
  return cookie;
}

/**
 * better-auth with email and password (bench/peers/better-auth-server.ts), on the same kind of
 * database as Gatehouse, with `users` accounts signed up in advance (8 at a time).
 */
export async function startPeer(hash: PeerHash, databases: Databases, users: number): Promise<Peer> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), `bench-better-auth-${hash}-`));
  const label = `better_auth_${hash}`;
  const databaseUrl = await databases.create(label);
  const child = Child.start({
    name: `better-auth (${hash})`,
    args: ['--import', 'tsx', 'bench/peers/better-auth-server.ts'],
    env: {
      ...baseEnv(),
      PORT: String(port),
      PEER_DATA_DIR: dataDir,
      DATABASE_URL: databaseUrl,
      PEER_HASH: hash,
      BETTER_AUTH_SECRET: randomBytes(32).toString('hex'),
    },
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    await child.stop();
    rmSync(dataDir, { recursive: true, force: true });
    await databases.drop(label);
  };
  try {
    await child.waitReady(`${baseUrl}/healthz`);
    const run = randomBytes(4).toString('hex');
    const emails = Array.from({ length: users }, (_, i) => `ba-${run}-${i}@bench.test`);
    const cookies: string[] = [];
    for (let i = 0; i < emails.length; i += 8) {
      cookies.push(...(await Promise.all(emails.slice(i, i + 8).map((email) => signUp(baseUrl, email)))));
    }
    return { hash, child, baseUrl, label, emails, cookies, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
