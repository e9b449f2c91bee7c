import type { AddressInfo } from 'node:net';
import type { BuildOptions } from '../../../src/http/app.ts';
import { createTestApp, type TestApp } from '../../helpers/app.ts';

export interface RunningServer extends TestApp {
  /** `http://127.0.0.1:<port>`, the address the browser opens. */
  readonly baseUrl: string;
}

/**
 * A real server for the browser: buildApp (a fresh database, embedded or PostgreSQL like every
 * test) listening on 127.0.0.1 on a free port. `build` passes build options (extraPages).
 */
export async function startServer(env: Record<string, string> = {}, build: BuildOptions = {}): Promise<RunningServer> {
  const test = await createTestApp(env, { build });
  await test.app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = test.app.server.address() as AddressInfo;
  return { ...test, baseUrl: `http://127.0.0.1:${port}` };
}
