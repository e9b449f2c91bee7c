import type { Config } from '../../config.ts';
import { ErrorCode, GatehouseError } from '../errors.ts';
import type { Client, Project, Projects } from '../projects.ts';
import { isConsoleClient } from '../oidc/console-client.ts';

/**
 * Which project a request is served for, as its contract knows it before any lookup: a client
 * application's id (Ovok bodies carry `clientId`), a project id (Medplum's `projectId`, or a
 * contract bound to one project by configuration), or the default project.
 */
export type TenantRef =
  /** `hostedSignIn`: set only by the hosted sign-in pages, which serve the console's client of the system project. */
  { readonly clientId: string; readonly hostedSignIn?: true } | { readonly projectId: string } | { readonly defaultProject: true };

export const DEFAULT_TENANT: TenantRef = { defaultProject: true };

/** A resolved tenant: the project, and the client application acting in it. */
export interface Tenant {
  readonly project: Project;
  readonly client: Client;
}

/** Resolves tenant references (cached by Projects); unknown ids are ClientNotFound / ProjectNotFound. */
export class Tenants {
  /** The default project never changes id, so it is looked up once. */
  private defaultId: Promise<string> | undefined;

  constructor(
    private readonly projects: Projects,
    private readonly config: Pick<Config, 'contractProjects' | 'issuer'>,
  ) {}

  /** The project a contract bound by configuration serves (PIXELMOVER_PROJECT_ID, ...), else the default one. */
  served(contract: keyof Config['contractProjects']): TenantRef {
    const projectId = this.config.contractProjects[contract];
    return projectId === undefined ? DEFAULT_TENANT : { projectId };
  }

  async project(ref: TenantRef): Promise<Project> {
    if ('clientId' in ref) {
      const client = await this.projects.client(ref.clientId);
      return this.checked(await this.projects.get(client.project_id), ref, client);
    }
    return served(await this.projects.get(await this.projectId(ref)), ref);
  }

  /** The project and client: the named client, or the project's primary client. */
  async resolve(ref: TenantRef): Promise<Tenant> {
    if ('clientId' in ref) {
      const client = await this.projects.client(ref.clientId);
      return { project: this.checked(await this.projects.get(client.project_id), ref, client), client };
    }
    const project = served(await this.projects.get(await this.projectId(ref)), ref);
    return { project, client: await this.projects.primaryClient(project.id) };
  }

  /** Every origin some client application allows (CORS and CSRF checks). */
  allowedOrigins(): Promise<ReadonlySet<string>> {
    return this.projects.allowedOrigins();
  }

  /** The id of the project a reference names (no lookup for a project id). */
  async projectId(ref: TenantRef): Promise<string> {
    if ('projectId' in ref) return ref.projectId;
    if ('clientId' in ref) return (await this.projects.client(ref.clientId)).project_id;
    this.defaultId ??= this.projects.defaultProject().then(
      (project) => project.id,
      (error: unknown) => {
        this.defaultId = undefined;
        throw error;
      },
    );
    return this.defaultId;
  }

  private checked(project: Project, ref: TenantRef, client?: Client): Project {
    const console = client !== undefined && 'clientId' in ref && ref.hostedSignIn === true && isConsoleClient(client, this.config.issuer);
    return console ? project : served(project, ref);
  }
}

/**
 * The operators' system project is served by no contract: its clients and id are unknown there.
 * The one exception is the hosted sign-in of the console's own client (operators sign in there).
 */
function served(project: Project, ref: TenantRef): Project {
  if (project.kind !== 'system') return project;
  if ('clientId' in ref) throw new GatehouseError(ErrorCode.ClientNotFound, 'Client application not found');
  throw new GatehouseError(ErrorCode.ProjectNotFound, 'Project not found');
}
