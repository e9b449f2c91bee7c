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

/** Per connection (autocannon's context): the user it acts for and its current tokens. */
interface ConnectionState {
  user?: { email: string; password: string };
  access?: string;
  refresh?: string;
  last?: Kind;
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
  let nextUser = 0;
  const tag = randomBytes(4).toString('hex');
  let registered = 0;
  const json = { 'content-type': 'application/json' };

  const setupRequest = (request: autocannon.Request, context: ConnectionState): autocannon.Request => {
    if (context.user === undefined) {
      const user = options.users[nextUser++ % options.users.length] as SoakUser;
      Object.assign(context, {
        user: { email: user.email, password: user.password },
        access: user.accessToken,
        refresh: user.refreshToken,
      });
    }
    const kind = pick();
    context.last = kind;
    counts.byKind[kind] += 1;
    switch (kind) {
      case 'me':
        return { ...request, method: 'GET', path: '/auth/me', headers: { authorization: `Bearer ${context.access}` } };
      case 'refresh':
        return {
          ...request,
          method: 'POST',
          path: '/auth/refresh-token',
          headers: json,
          body: JSON.stringify({ refresh_token: context.refresh }),
        };
      case 'signIn':
        return {
          ...request,
          method: 'POST',
          path: '/v2/auth/login',
          headers: json,
          body: JSON.stringify({ email: context.user?.email, password: context.user?.password, clientId: options.clientId }),
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

  const onResponse = (status: number, body: string, context: ConnectionState): void => {
    const phase = Date.now() < options.warmupUntil ? 'warmup' : 'measured';
    const bucket = counts.statuses[phase];
    bucket[status] = (bucket[status] ?? 0) + 1;
    if (status !== 200) return;
    // A sign-in or refresh gives the connection new tokens (the refresh token it used is spent).
    if (context.last === 'refresh') {
      const answer = JSON.parse(body) as { access_token: string; refresh_token: string };
      context.access = answer.access_token;
      context.refresh = answer.refresh_token;
    } else if (context.last === 'signIn') {
      const answer = JSON.parse(body) as { accessToken: string; refreshToken: string };
      context.access = answer.accessToken;
      context.refresh = answer.refreshToken;
    }
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
