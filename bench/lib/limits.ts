import { availableParallelism } from 'node:os';
import type { LoadResult } from './load.ts';
import { Child, baseEnv, freePort } from './proc.ts';

export interface Service {
  readonly child: Child;
  readonly baseUrl: string;
}

async function service(name: string, script: string, env: Record<string, string>): Promise<Service> {
  const port = await freePort();
  const child = Child.start({ name, args: ['--import', 'tsx', script], env: { ...baseEnv(), ...env, PORT: String(port) } });
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await child.waitReady(`${baseUrl}/healthz`);
  } catch (error) {
    await child.stop();
    throw error;
  }
  return { child, baseUrl };
}

/** The hash-limit service (bench/peers/hash-limit.ts): one libuv thread per verify loop. */
export function startHashLimit(): Promise<Service> {
  return service('hash-limit', 'bench/peers/hash-limit.ts', { UV_THREADPOOL_SIZE: String(Math.max(4, availableParallelism())) });
}

/** The HTTP floor (bench/peers/http-floor.ts), answering `bodyBytes` of JSON. */
export function startFloor(bodyBytes: number): Promise<Service> {
  return service('http-floor', 'bench/peers/http-floor.ts', { FLOOR_BODY_BYTES: String(bodyBytes) });
}

/** One hash-limit segment, as a load result: okRps is hashes per second with every core hashing. */
export async function hashLimitSegment(limit: Service, seconds: number, kind: 'argon2id' | 'scrypt'): Promise<LoadResult> {
  const response = await fetch(`${limit.baseUrl}/${kind === 'argon2id' ? 'run' : 'scrypt'}?seconds=${seconds}`);
  if (!response.ok) throw new Error(`hash limit: HTTP ${response.status} ${await response.text()}`);
  const { perSecond, done, seconds: took } = (await response.json()) as { perSecond: number; done: number; seconds: number };
  return {
    durationSeconds: took,
    requests: done,
    rps: perSecond,
    okRps: perSecond,
    p50Ms: Number.NaN,
    p99Ms: Number.NaN,
    maxMs: Number.NaN,
    non2xx: 0,
    socketErrors: 0,
    timeouts: 0,
    statusCodes: {},
  };
}
