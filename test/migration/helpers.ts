import { createReadStream, existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { ImportOptions } from '../../src/core/import/importer.ts';
import { importUsers } from '../../src/core/import/importer.ts';
import type { ImportReport } from '../../src/core/import/types.ts';
import type { TestApp } from '../helpers/app.ts';

/** shared/ sits beside the repository (../shared from its root); a git worktree is one level deeper. */
const SAMPLES = ['../../../shared/migration-samples/', '../../../../shared/migration-samples/']
  .map((relative) => new URL(relative, import.meta.url).pathname)
  .find((path) => existsSync(path));

export function sample(name: string): string {
  if (SAMPLES === undefined) throw new Error('shared/migration-samples not found beside the repository');
  return `${SAMPLES}${name}`;
}

/** Imports a string (one user a line) or a file into the test app's project. */
export function importText(t: TestApp, text: string, options: Partial<ImportOptions> = {}): Promise<ImportReport> {
  return importUsers(t.app.core, Readable.from([Buffer.from(text)]), { projectId: t.projectId, ...options });
}

export function importFile(t: TestApp, path: string, options: Partial<ImportOptions> = {}): Promise<ImportReport> {
  return importUsers(t.app.core, createReadStream(path), { projectId: t.projectId, ...options });
}

export function lines(...users: unknown[]): string {
  return `${users.map((user) => (typeof user === 'string' ? user : JSON.stringify(user))).join('\n')}\n`;
}

/** Starts the app on a loopback port: the sample tests go over real HTTP, as an app switching its base URL would. */
export async function listen(
  t: TestApp,
): Promise<
  (
    path: string,
    init?: { method?: string; headers?: Record<string, string>; body?: unknown },
  ) => Promise<{ status: number; body: Record<string, unknown> }>
> {
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = t.app.server.address() as AddressInfo;
  return async (path, init = {}) => {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: { ...(init.body !== undefined && { 'content-type': 'application/json' }), ...init.headers },
      ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
  };
}
