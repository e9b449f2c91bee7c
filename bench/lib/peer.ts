import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Databases } from './databases.ts';
import { Child, baseEnv, freePort } from './proc.ts';
import type { ScenarioResult } from './report.ts';
import { log, measure } from './scenario.ts';
import { SEED_PASSWORD } from './seed.ts';
import type { Settings } from './settings.ts';

const SIGN_UP = '/api/auth/sign-up/email';
const SIGN_IN = '/api/auth/sign-in/email';

/** The session cookie better-auth sets, as a Cookie header value. */
function sessionCookie(setCookies: readonly string[]): string | undefined {
  return setCookies.find((c) => c.trim().startsWith('better-auth.session_token='))?.split(';')[0]?.trim();
}

/** better-auth's sign-up, sign-in and get-session, driven like Gatehouse's register, login and read. */
export async function runPeer(settings: Settings, databases: Databases): Promise<ScenarioResult[]> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-better-auth-'));
  const databaseUrl = await databases.create('better_auth');
  const child = Child.start({
    name: 'better-auth',
    args: ['--import', 'tsx', 'bench/peers/better-auth-server.ts'],
    env: { ...baseEnv(), PORT: String(port), PEER_DATA_DIR: dataDir, DATABASE_URL: databaseUrl, BETTER_AUTH_SECRET: randomBytes(32).toString('hex') },
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const results: ScenarioResult[] = [];
  try {
    await child.waitReady(`${baseUrl}/healthz`);
    const run = randomBytes(4).toString('hex');
    const signedUp: string[] = [];
    // Sign-up opens a session too: its cookies feed the get-session scenario.
    const cookies: string[] = [];
    let next = 0;
    results.push(
      await measure(
        { id: 'ba-sign-up', title: 'better-auth sign-up', server: 'better-auth', child },
        {
          baseUrl,
          method: 'POST',
          path: SIGN_UP,
          connections: settings.hashConnections,
          durationSeconds: settings.duration,
          prepare: () => {
            next += 1;
            const email = `ba-${run}-${next}@bench.test`;
            return { body: JSON.stringify({ email, password: SEED_PASSWORD, name: 'Bench User' }) };
          },
          onResponse: (status, body, headers) => {
            if (status !== 200) return;
            signedUp.push((JSON.parse(body) as { user: { email: string } }).user.email);
            const setCookie = headers['set-cookie'];
            const cookie = sessionCookie(typeof setCookie === 'string' ? [setCookie] : (setCookie ?? []));
            if (cookie !== undefined && cookies.length < settings.readSessions) cookies.push(cookie);
          },
        },
      ),
    );
    if (signedUp.length === 0) throw new Error('better-auth sign-up produced no users');
    results.push(
      await measure(
        { id: 'ba-sign-in', title: 'better-auth sign-in', server: 'better-auth', child },
        {
          baseUrl,
          method: 'POST',
          path: SIGN_IN,
          connections: settings.hashConnections,
          durationSeconds: settings.duration,
          prepare: () => {
            const email = signedUp[Math.floor(Math.random() * signedUp.length)];
            return { body: JSON.stringify({ email, password: SEED_PASSWORD }) };
          },
        },
      ),
    );
    // Only when sign-up ran too short to open enough sessions.
    for (const email of signedUp.slice(0, Math.max(0, settings.readSessions - cookies.length))) {
      const response = await fetch(`${baseUrl}${SIGN_IN}`, {
        method: 'POST',
        // fetch marks itself as a browser (sec-fetch-mode), and better-auth then wants the page's Origin.
        headers: { 'content-type': 'application/json', origin: baseUrl },
        body: JSON.stringify({ email, password: SEED_PASSWORD }),
      });
      if (response.status !== 200) throw new Error(`better-auth sign-in: HTTP ${response.status} ${await response.text()}`);
      const cookie = sessionCookie(response.headers.getSetCookie());
      if (cookie === undefined) throw new Error('better-auth sign-in set no session cookie');
      cookies.push(cookie);
      await response.arrayBuffer();
    }
    let turn = 0;
    results.push(
      await measure(
        { id: 'ba-get-session', title: 'better-auth get-session', server: 'better-auth', child },
        {
          baseUrl,
          method: 'GET',
          path: '/api/auth/get-session',
          connections: settings.readConnections,
          durationSeconds: settings.duration,
          prepare: () => {
            turn = (turn + 1) % cookies.length;
            return { headers: { cookie: cookies[turn] ?? '' } };
          },
        },
      ),
    );
  } catch (error) {
    log(`better-auth: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await child.stop();
    rmSync(dataDir, { recursive: true, force: true });
    await databases.drop('better_auth');
  }
  return results;
}
