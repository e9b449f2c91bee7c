import type { Config } from '../config.ts';
import { createCore, type Core } from '../core/index.ts';
import { CLI_ACTOR } from '../core/use-cases/actor.ts';
import { openDatabase } from '../db/connection.ts';
import { migrate } from '../db/migrate.ts';
import { createLogger } from '../http/logger.ts';
import { clientView, projectView } from '../contracts/admin/schemas.ts';
import type { ClientInput } from '../core/oidc/clients.ts';

export interface Output {
  readonly json: boolean;
  print(value: unknown, text: () => string): void;
}

/**
 * Opens the database the way the server does (the data-directory lock keeps a running server's
 * embedded database safe), migrated and with its default project, but starts no background
 * worker: a command runs and exits.
 */
export async function withCore<T>(config: Config, fn: (core: Core) => Promise<T>): Promise<T> {
  const quiet = { ...config, logLevel: 'warn' as const };
  const database = await openDatabase(quiet);
  let core: Core;
  try {
    await migrate(database);
    core = await createCore(quiet, database, createLogger(quiet));
  } catch (error) {
    await database.close();
    throw error;
  }
  try {
    await core.bootstrap();
    return await fn(core);
  } finally {
    await core.close();
  }
}

export async function runMigrations(config: Config, out: Output): Promise<void> {
  const database = await openDatabase(config);
  try {
    const applied = await migrate(database);
    out.print({ applied }, () => (applied.length === 0 ? 'Database is up to date.' : `Applied: ${applied.join(', ')}`));
  } finally {
    await database.close();
  }
}

export async function listProjects(config: Config, out: Output): Promise<void> {
  await withCore(config, async (core) => {
    const projects = (await core.api.admin.listProjects()).map(projectView);
    out.print(projects, () => projects.map((p) => `${p.id}  ${p.name}${p.isDefault ? '  (default)' : ''}`).join('\n'));
  });
}

export async function createProject(config: Config, out: Output, name: string): Promise<void> {
  await withCore(config, async (core) => {
    const project = projectView(await core.api.admin.createProject({ name }, CLI_ACTOR));
    out.print(project, () => `Created project ${project.id}  ${project.name}`);
  });
}

export async function listClients(config: Config, out: Output, projectId: string): Promise<void> {
  await withCore(config, async (core) => {
    const clients = (await core.api.admin.listClients(projectId)).map((client) => clientView(client));
    out.print(clients, () =>
      clients.map((c) => `${c.id}  ${c.name}  ${c.type}${c.redirectUris.length > 0 ? `  ${c.redirectUris.join(' ')}` : ''}`).join('\n'),
    );
  });
}

export async function createClient(config: Config, out: Output, projectId: string, input: ClientInput): Promise<void> {
  await withCore(config, async (core) => {
    const issued = await core.api.admin.createClient(projectId, input, CLI_ACTOR);
    const client = clientView(issued.client, issued.secret);
    out.print(client, () =>
      [
        `Created client application ${client.id}  ${client.name} (project ${client.projectId}, ${client.type})`,
        ...secretLines(client.secret),
      ].join('\n'),
    );
  });
}

export async function rotateClientSecret(config: Config, out: Output, projectId: string, clientId: string): Promise<void> {
  await withCore(config, async (core) => {
    const issued = await core.api.admin.rotateClientSecret(projectId, clientId, CLI_ACTOR);
    const client = clientView(issued.client, issued.secret);
    out.print(client, () => [`New secret for client ${client.id}; the old one no longer works.`, ...secretLines(client.secret)].join('\n'));
  });
}

function secretLines(secret: string | undefined): string[] {
  return secret === undefined ? [] : [`Client secret (shown once, store it now): ${secret}`];
}

export async function rotateKeys(config: Config, out: Output): Promise<void> {
  await withCore(config, async (core) => {
    const rotated = await core.api.admin.rotateKeys(CLI_ACTOR);
    out.print(
      rotated,
      () =>
        `Signing with new key ${rotated.kid}; retired ${rotated.retired.join(', ') || 'none'} (still verifying until their tokens expire).`,
    );
  });
}
