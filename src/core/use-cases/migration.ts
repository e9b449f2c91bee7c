import type { Readable } from 'node:stream';
import { exportStream } from '../import/export.ts';
import { importApiKeys, importUsers, type ImportOptions, type ImportServices } from '../import/importer.ts';
import type { ImportReport } from '../import/types.ts';
import { assertMay, type Actor } from './actor.ts';

/** Bringing users in from another product, and taking them out again (docs/migrating.md). */
export class Migration {
  constructor(private readonly services: ImportServices) {}

  /** Streams an export into a project; a bad line is reported, the others go in. */
  importUsers(input: Readable, options: ImportOptions & { readonly actor?: Actor }): Promise<ImportReport> {
    // A named operator (the console) needs the import permission; the admin token and the CLI have it.
    if (options.actor !== undefined) assertMay(options.actor, 'users.import');
    return importUsers(this.services, input, options);
  }

  /** A Laravel API-keys file alone, for users imported before. */
  importApiKeys(input: Readable, options: Pick<ImportOptions, 'projectId' | 'dryRun' | 'via' | 'remoteAddress'>): Promise<ImportReport> {
    return importApiKeys(this.services, input, options);
  }

  /** The project's users as canonical JSON Lines; the project is checked (ProjectNotFound) before the stream starts. */
  async exportUsers(options: { projectId: string; includeTotp: boolean; remoteAddress?: string }): Promise<Readable> {
    const project = await this.services.projects.get(options.projectId);
    this.services.events.emit({
      action: 'admin.export',
      outcome: 'success',
      projectId: project.id,
      remoteAddress: options.remoteAddress,
      detail: { includeTotp: options.includeTotp },
    });
    return exportStream(this.services, { projectId: project.id, includeTotp: options.includeTotp });
  }
}
