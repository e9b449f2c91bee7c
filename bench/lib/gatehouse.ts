import { randomBytes } from 'node:crypto';
import { Child, baseEnv, freePort } from './proc.ts';

export interface GatehouseOptions {
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  readonly adminToken: string;
  readonly cpuProfDir: string | undefined;
  /** Extra environment (experiments: HASH_THREAD_NICE, PGLITE_SHARED_BUFFERS_MB, …). */
  readonly env?: Readonly<Record<string, string>>;
  /** Extra node arguments before the script (the soak's `--import` probe). */
  readonly nodeArgs?: readonly string[];
}

export interface Gatehouse {
  readonly child: Child;
  readonly baseUrl: string;
}

export function newAdminToken(): string {
  return randomBytes(24).toString('base64url');
}

/** BENCH_NODE_FLAGS="--flag …": extra node flags for the Gatehouse child (experiments, e.g. V8 heap sizes). */
function nodeFlags(): string[] {
  return (process.env.BENCH_NODE_FLAGS ?? '').split(/\s+/).filter((flag) => flag !== '');
}

/** Starts `gatehouse start` as `npm start` does, and waits until it can reach its database. */
export async function startGatehouse(options: GatehouseOptions): Promise<Gatehouse> {
  const port = await freePort();
  const profile = options.cpuProfDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`];
  const child = Child.start({
    name: 'gatehouse',
    // The bundle `npm start` runs (bench/run.ts builds it once before the first start).
    args: [...profile, ...nodeFlags(), ...(options.nodeArgs ?? []), 'dist/gatehouse.mjs', 'start'],
    env: {
      ...baseEnv(),
      PORT: String(port),
      HOST: '127.0.0.1',
      GATEHOUSE_DATA_DIR: options.dataDir,
      GATEHOUSE_ADMIN_TOKEN: options.adminToken,
      LOG_LEVEL: 'warn',
      DATABASE_URL: options.databaseUrl,
      // Every request comes from 127.0.0.1: the per-IP limits (30 logins per 5 minutes) would turn
      // the bench into a rate-limit test. Brute-force protection stays on (no login here fails).
      RATE_LIMITS: 'false',
      ...options.env,
    },
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await child.waitReady(`${baseUrl}/readyz`);
  } catch (error) {
    await child.stop();
    throw error;
  }
  return { child, baseUrl };
}

async function json<T>(response: Response, what: string): Promise<T> {
  const text = await response.text();
  if (!response.ok) throw new Error(`${what}: HTTP ${response.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/** The default project and its first client, through the admin API. */
export async function defaultClient(baseUrl: string, adminToken: string): Promise<{ projectId: string; clientId: string }> {
  const headers = { authorization: `Bearer ${adminToken}` };
  const projects = await json<Array<{ id: string; name: string; isDefault?: boolean }>>(
    await fetch(`${baseUrl}/admin/projects`, { headers }),
    'GET /admin/projects',
  );
  const project = projects.find((p) => p.isDefault === true) ?? projects.find((p) => p.name === 'Default Project') ?? projects[0];
  if (project === undefined) throw new Error('no project on a fresh server');
  const clients = await json<Array<{ id: string }>>(
    await fetch(`${baseUrl}/admin/projects/${project.id}/clients`, { headers }),
    'GET clients',
  );
  const client = clients[0];
  if (client === undefined) throw new Error(`project ${project.id} has no client`);
  return { projectId: project.id, clientId: client.id };
}

export interface OvokTokens {
  readonly accessToken: string;
  readonly refreshToken: string;
}

export async function ovokLogin(baseUrl: string, clientId: string, email: string, password: string): Promise<OvokTokens> {
  return json<OvokTokens>(
    await fetch(`${baseUrl}/v2/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password, clientId }),
    }),
    `login ${email}`,
  );
}

export async function ovokRegister(baseUrl: string, clientId: string, email: string, password: string): Promise<OvokTokens> {
  return json<OvokTokens>(
    await fetch(`${baseUrl}/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password, clientId, name: 'Bench', surname: 'Reader' }),
    }),
    `register ${email}`,
  );
}
