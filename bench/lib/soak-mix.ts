import autocannon from 'autocannon';
import { randomBytes } from 'node:crypto';

/** The soak's request mix (issue 12 point 7), in percent: the rest of 100 are "me" reads. */
export const MIX = { refresh: 15, signIn: 4, register: 1 } as const;

export interface SoakUser {
  readonly email: string;
  readonly password: string;
  readonly accessToken: string;
  readonly refreshToken: string;
}

type Kind = 'me' | 'refresh' | 'signIn' | 'register';

/** A signed-in user; taken by one request at a time, so its refresh token is never used twice. */
interface Session {
  readonly email: string;
  readonly password: string;
  access: string;
  refresh: string;
}

/**
 * autocannon's context lives for one request only here (it is reset each time a connection's list
 * of requests starts over, and the list has one entry): it carries the request's session and kind
 * from setupRequest to onResponse.
 */
interface RequestContext {
  session?: Session;
  kind?: Kind;
}

export interface MixCounts {
  /** Answers by phase ('warmup' | 'measured') and status, and by kind. */
  readonly statuses: Record<'warmup' | 'measured', Record<string, number>>;
  readonly byKind: Record<Kind, number>;
}

export interface MixResult extends MixCounts {
  readonly requests: number;
  readonly okRps: number;
  readonly rps: number;
  readonly p99Ms: number;
  /** Socket errors and timeouts over the whole run (autocannon's own count). */
  readonly errors: number;
  readonly timeouts: number;
}

function pick(): Kind {
  const roll = Math.random() * 100;
  if (roll < MIX.refresh) return 'refresh';
  if (roll < MIX.refresh + MIX.signIn) return 'signIn';
  if (roll < MIX.refresh + MIX.signIn + MIX.register) return 'register';
  return 'me';
}

/**
 * Runs the mixed load on Ovok's endpoints: GET /auth/me, POST /auth/refresh-token (each connection
 * rotates its own session's token), POST /v2/auth/login of its user, POST /auth/register of a new
 * one. `warmupUntil` (epoch ms) splits the answers into warm-up and measured.
 */
export async function runMix(options: {
  readonly baseUrl: string;
  readonly clientId: string;
  readonly users: readonly SoakUser[];
  readonly connections: number;
  readonly durationSeconds: number;
  readonly overallRate?: number;
  readonly warmupUntil: number;
}): Promise<MixResult> {
  const counts: MixCounts = {
    statuses: { warmup: {}, measured: {} },
    byKind: { me: 0, refresh: 0, signIn: 0, register: 0 },
  };
  // More users than connections: a request that ends in a socket error never gives its session back.
  const idle: Session[] = options.users.map((user) => ({
    email: user.email,
    password: user.password,
    access: user.accessToken,
    refresh: user.refreshToken,
  }));
  const tag = randomBytes(4).toString('hex');
  let registered = 0;
  const json = { 'content-type': 'application/json' };

  const setupRequest = (request: autocannon.Request, context: RequestContext): autocannon.Request => {
    const session = idle.shift();
    if (session === undefined) throw new Error('no idle session: give more users than connections');
    const kind = pick();
    context.session = session;
    context.kind = kind;
    counts.byKind[kind] += 1;
    switch (kind) {
      case 'me':
        return { ...request, method: 'GET', path: '/auth/me', headers: { authorization: `Bearer ${session.access}` } };
      case 'refresh':
        return {
          ...request,
          method: 'POST',
          path: '/auth/refresh-token',
          headers: json,
          body: JSON.stringify({ refresh_token: session.refresh }),
        };
      case 'signIn':
        return {
          ...request,
          method: 'POST',
          path: '/v2/auth/login',
          headers: json,
          body: JSON.stringify({ email: session.email, password: session.password, clientId: options.clientId }),
        };
      case 'register':
        registered += 1;
        return {
          ...request,
          method: 'POST',
          path: '/auth/register',
          headers: json,
          body: JSON.stringify({
            email: `soak.${tag}.${registered}@example.com`,
            password: 'soak-password-1234',
            clientId: options.clientId,
            name: 'Soak',
            surname: 'Tester',
          }),
        };
    }
  };

  const onResponse = (status: number, body: string, context: RequestContext): void => {
    const phase = Date.now() < options.warmupUntil ? 'warmup' : 'measured';
    const bucket = counts.statuses[phase];
    bucket[status] = (bucket[status] ?? 0) + 1;
    const session = context.session;
    if (session === undefined) return;
    // A sign-in or refresh gives the session new tokens (the refresh token it used is spent).
    if (status === 200 && context.kind === 'refresh') {
      const answer = JSON.parse(body) as { access_token: string; refresh_token: string };
      session.access = answer.access_token;
      session.refresh = answer.refresh_token;
    } else if (status === 200 && context.kind === 'signIn') {
      const answer = JSON.parse(body) as { accessToken: string; refreshToken: string };
      session.access = answer.accessToken;
      session.refresh = answer.refreshToken;
    }
    idle.push(session);
  };

  const result = await autocannon({
    url: options.baseUrl,
    connections: options.connections,
    duration: options.durationSeconds,
    timeout: 10,
    requests: [
      {
        setupRequest: setupRequest as unknown as autocannon.Request['setupRequest'],
        onResponse: onResponse as unknown as autocannon.Request['onResponse'],
      },
    ],
    ...(options.overallRate !== undefined && { overallRate: options.overallRate }),
  });
  const duration = result.duration > 0 ? result.duration : options.durationSeconds;
  return {
    ...counts,
    requests: result.requests.total,
    rps: result.requests.total / duration,
    okRps: result['2xx'] / duration,
    p99Ms: result.latency.p99,
    errors: result.errors - result.timeouts,
    timeouts: result.timeouts,
  };
}
