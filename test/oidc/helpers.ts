import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import * as client from 'openid-client';
import type { Clock } from '../../src/core/oidc/clock.ts';
import { ADMIN_TOKEN, createTestApp, json, type TestApp } from '../helpers/app.ts';
import { ovokRegister, uniqueEmail } from '../helpers/ovok.ts';

export interface Provider extends TestApp {
  /** `http://127.0.0.1:<port>`: the issuer, and where the server listens. */
  readonly issuer: string;
}

/** A settable clock for the provider (authorization codes expire without waiting). */
export class TestClock {
  offsetMs = 0;
  readonly now: Clock = () => new Date(Date.now() + this.offsetMs);
}

/**
 * A listening server whose issuer is its own URL: the socket is bound first (port 0), the app is
 * built with GATEHOUSE_ISSUER at that port, and the socket's connections are handed to it.
 */
export async function startProvider(env: Record<string, string> = {}, options: { clock?: Clock } = {}): Promise<Provider> {
  const listener: Server = createServer();
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const { port } = listener.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;
  let test: TestApp;
  try {
    test = await createTestApp({ GATEHOUSE_ISSUER: issuer, ...env }, { build: { ...(options.clock && { clock: options.clock }) } });
  } catch (error) {
    listener.close();
    throw error;
  }
  const sockets = new Set<Socket>();
  listener.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    test.app.server.emit('connection', socket);
  });
  return {
    ...test,
    issuer,
    async close() {
      // The listener counts the sockets it handed over: end them first, or close waits for keep-alive.
      const closed = new Promise<void>((resolve) => listener.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
      await test.close();
    },
  };
}

export interface RegisteredClient {
  readonly id: string;
  readonly secret?: string;
  readonly redirectUris: string[];
}

/** Registers an OAuth client through the admin API. */
export async function registerClient(
  provider: Provider,
  body: Record<string, unknown>,
  projectId = provider.projectId,
): Promise<RegisteredClient> {
  const response = await provider.app.inject({
    method: 'POST',
    url: `/admin/projects/${projectId}/clients`,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    payload: { name: 'Test app', ...body },
  });
  if (response.statusCode !== 201) throw new Error(`client registration failed: ${response.statusCode} ${response.body}`);
  return json<RegisteredClient>(response);
}

/** A user of the default project (through the Ovok contract), with a known password. */
export async function createUser(
  provider: Provider,
  overrides: Record<string, unknown> = {},
): Promise<{ email: string; password: string; accessToken: string }> {
  const email = uniqueEmail('oidc');
  const registered = await ovokRegister(provider.app, provider.clientId, { email, password: 'correct horse battery', ...overrides });
  return { email, password: registered.password, accessToken: registered.tokens.accessToken };
}

/** openid-client's view of the provider, over plain http (127.0.0.1). */
export async function discover(provider: Provider, clientId: string, secret?: string): Promise<client.Configuration> {
  return client.discovery(
    new URL(provider.issuer),
    clientId,
    secret,
    secret === undefined ? client.None() : client.ClientSecretBasic(secret),
    {
      execute: [client.allowInsecureRequests],
    },
  );
}

/** A cookie jar for driving the pages over HTTP with fetch (no browser). */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const index = pair.indexOf('=');
      const name = pair.slice(0, index).trim();
      const value = pair.slice(index + 1).trim();
      if (/max-age=0/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  get(name: string): string | undefined {
    return this.cookies.get(name);
  }

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) headers.set('cookie', this.header());
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    this.store(response);
    return response;
  }
}

/** The value of a hidden input of a page. */
export function hiddenField(html: string, name: string): string {
  const match = new RegExp(`<input type="hidden" name="${name}" value="([^"]*)"`).exec(html);
  if (match?.[1] === undefined) throw new Error(`no hidden field ${name} in the page`);
  return match[1]
    .replace(/&#(\d+);/g, (_whole, code: string) => String.fromCharCode(Number(code)))
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"');
}

/** Posts a page form (with its CSRF token) and returns the answer, not following redirects. */
export async function submit(jar: CookieJar, url: string, fields: Record<string, string>): Promise<Response> {
  return jar.fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
}
