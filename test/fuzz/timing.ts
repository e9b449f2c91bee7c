import { createTestApp } from '../helpers/app.ts';
import { ovokRegister } from '../helpers/ovok.ts';
import { register as pmRegister } from '../pixelmover/helpers.ts';
import { API, signedIn } from '../jinuai/helpers.ts';

// npx tsx test/fuzz/timing.ts [--rounds N]: median latency of existing vs unknown email, production argon2 cost.
const i = process.argv.indexOf('--rounds');
const rounds = i >= 0 ? Number(process.argv[i + 1]) : 60;
const t = await createTestApp({ ARGON2_MEMORY_KIB: '19456', ARGON2_ITERATIONS: '2' });

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

async function measure(name: string, known: string, ask: (email: string) => Promise<unknown>): Promise<void> {
  const times: Record<'known' | 'unknown', number[]> = { known: [], unknown: [] };
  for (let r = 0; r < rounds; r++) {
    // Alternate the order so drift hits both sides alike.
    for (const side of r % 2 === 0 ? (['known', 'unknown'] as const) : (['unknown', 'known'] as const)) {
      const started = process.hrtime.bigint();
      await ask(side === 'known' ? known : `nobody.${r}@example.com`);
      times[side].push(Number(process.hrtime.bigint() - started) / 1e6);
    }
  }
  const a = median(times.known);
  const b = median(times.unknown);
  console.log(
    `${name.padEnd(28)} known ${a.toFixed(2)} ms  unknown ${b.toFixed(2)} ms  diff ${((Math.abs(a - b) / Math.max(a, b)) * 100).toFixed(1)}%`,
  );
}

try {
  const ovok = await ovokRegister(t.app, t.clientId);
  const pm = await pmRegister(t.app);
  const { fields } = await signedIn(t.app);
  const post = (url: string, payload: object) => t.app.inject({ method: 'POST', url, payload });
  await measure('Ovok login', ovok.email, (email) => post('/v2/auth/login', { email, password: 'wrong-password-1', clientId: t.clientId }));
  await measure('PixelMover login', pm.email, (email) => post('/v1/auth/login', { email, password: 'wrong-password-1' }));
  await measure('JinuAI login', fields.email!, (email) => post(`${API}/auth/login`, { email, password: 'wrong-password-1' }));
  await measure('Ovok reset-password', ovok.email, (email) => post('/auth/reset-password', { email, clientId: t.clientId }));
  await measure('PixelMover forgot-password', pm.email, (email) => post('/v1/auth/forgot-password', { email }));
  await measure('JinuAI password-recovery', fields.email!, (email) => post(`${API}/password-recovery/${encodeURIComponent(email)}`, {}));
} finally {
  await t.close();
}
