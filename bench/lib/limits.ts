import { availableParallelism } from 'node:os';
import { machineBusy } from './cpu.ts';
import { Child, baseEnv, freePort } from './proc.ts';
import type { Limits, ScenarioResult } from './report.ts';
import { log, measure } from './scenario.ts';
import type { Settings } from './settings.ts';

/** argon2id (and the peer's scrypt) per second with every core busy, in a process of its own. */
export async function measureHashLimit(): Promise<Limits['hash']> {
  log('hash limit: one verify loop per core, ~5 s argon2id then scrypt');
  const child = Child.start({
    name: 'hash-limit',
    args: ['--import', 'tsx', 'bench/peers/hash-limit.ts'],
    // At least one libuv thread per loop (the default pool is 4).
    env: { ...baseEnv(), UV_THREADPOOL_SIZE: String(Math.max(4, availableParallelism())) },
  });
  const busy = machineBusy();
  const { cores, ...measured } = await child.lastJsonLine<Omit<Limits['hash'], 'foreignCores'> & { cores: number }>();
  // Approximate: the child's startup is in the machine's figure but not in its own.
  const result = { ...measured, foreignCores: Math.max(0, Math.round((busy.stop() - cores) * 100) / 100) };
  log(`hash limit: ${result.argon2idVerifyPerSecond} argon2id verify/s, ${result.scryptPerSecond} scrypt/s, others ${result.foreignCores} cores`);
  return result;
}

/** A bare Fastify route in its own process, driven exactly like the authenticated read. */
export async function measureHttpFloor(settings: Settings): Promise<ScenarioResult> {
  const port = await freePort();
  const child = Child.start({ name: 'http-floor', args: ['--import', 'tsx', 'bench/peers/http-floor.ts'], env: { ...baseEnv(), PORT: String(port) } });
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await child.waitReady(`${baseUrl}/healthz`);
    return await measure(
      { id: 'floor', title: 'HTTP floor: bare route', server: 'http-floor', child },
      {
        baseUrl,
        method: 'GET',
        path: '/floor',
        headers: { authorization: 'Bearer x' },
        connections: settings.readConnections,
        durationSeconds: settings.duration,
      },
    );
  } finally {
    await child.stop();
  }
}
