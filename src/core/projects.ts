import { randomUUID } from 'node:crypto';
import type { Insertable, Selectable } from 'kysely';
import type { Db } from '../db/connection.ts';
import type { ClientsTable, ProjectsTable } from '../db/schema.ts';
import { brandingProblems } from './branding.ts';
import { ErrorCode, GatehouseError, type FieldProblem } from './errors.ts';
import { MAX_ACCESS_TOKEN_TTL_SECONDS } from './keys.ts';

export type Project = Selectable<ProjectsTable>;
export type Client = Selectable<ClientsTable>;
/** The OAuth columns of a client (migration 012). */
export type ClientRegistration = Partial<
  Pick<
    Insertable<ClientsTable>,
    | 'redirect_uris'
    | 'post_logout_redirect_uris'
    | 'client_type'
    | 'grant_types'
    | 'scopes'
    | 'first_party'
    | 'secret_hash'
    | 'secret_rotated_at'
  >
>;

export const PROFILE_TYPES = ['Patient', 'Practitioner', 'RelatedPerson'] as const;
export type ProfileType = (typeof PROFILE_TYPES)[number];

export interface ProjectSettingsInput {
  readonly name?: string;
  readonly selfRegisterTypes?: readonly ProfileType[];
  readonly accessTokenTtlSeconds?: number;
  readonly refreshTokenTtlSeconds?: number;
  /** Free-form feature settings (verification, password policy, ...), merged into the stored ones. */
  readonly settings?: Readonly<Record<string, unknown>>;
}

const CACHE_MS = 5_000;

/**
 * Projects (tenants) and their client applications. Both are read on every login and
 * change rarely, so lookups are cached briefly; writes through this service drop the cache.
 */
export class Projects {
  private readonly projectCache = new Map<string, { value: Project; at: number }>();
  private readonly clientCache = new Map<string, { value: Client; at: number }>();
  private readonly primaryClientCache = new Map<string, { value: Client; at: number }>();

  constructor(private readonly db: Db) {}

  /** Creates the default project and its first client when the database has none. */
  async ensureDefault(): Promise<{ project: Project; client: Client; created: boolean }> {
    const existing = await this.db.selectFrom('projects').selectAll().where('is_default', '=', true).executeTakeFirst();
    if (existing !== undefined) {
      const client = await this.db
        .selectFrom('clients')
        .selectAll()
        .where('project_id', '=', existing.id)
        .orderBy('created_at')
        .orderBy('id')
        .executeTakeFirst();
      return { project: existing, client: client ?? (await this.createClient(existing.id, 'Default Client')), created: false };
    }
    const inserted = await this.db
      .insertInto('projects')
      .values({ id: randomUUID(), name: 'Default Project', is_default: true })
      .onConflict((oc) => oc.column('is_default').where('is_default', '=', true).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (inserted === undefined) return this.ensureDefault();
    return { project: inserted, client: await this.createClient(inserted.id, 'Default Client'), created: true };
  }

  /**
   * The project of Gatehouse's own operators (admin console), created on first use. No contract
   * serves it: Tenants and Credentials refuse it outside the console.
   */
  async systemProject(): Promise<Project> {
    if (this.systemCache !== undefined) return this.systemCache;
    const existing = await this.db.selectFrom('projects').selectAll().where('kind', '=', 'system').executeTakeFirst();
    if (existing !== undefined) {
      this.systemCache = existing;
      return existing;
    }
    await this.db
      .insertInto('projects')
      .values({ id: randomUUID(), name: 'Gatehouse operators', kind: 'system', self_register_types: [] })
      .onConflict((oc) => oc.column('kind').where('kind', '=', 'system').doNothing())
      .execute();
    return this.systemProject();
  }

  private systemCache: Project | undefined;

  async defaultProject(): Promise<Project> {
    return (await this.ensureDefault()).project;
  }

  async create(input: ProjectSettingsInput & { name: string }): Promise<Project> {
    validateSettings(input);
    return this.db
      .insertInto('projects')
      .values({
        id: randomUUID(),
        name: input.name,
        ...(input.selfRegisterTypes && { self_register_types: [...input.selfRegisterTypes] }),
        ...(input.accessTokenTtlSeconds !== undefined && { access_token_ttl_seconds: input.accessTokenTtlSeconds }),
        ...(input.refreshTokenTtlSeconds !== undefined && { refresh_token_ttl_seconds: input.refreshTokenTtlSeconds }),
        ...(input.settings && { settings: JSON.stringify(input.settings) }),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async update(id: string, input: ProjectSettingsInput): Promise<Project> {
    validateSettings(input);
    const current = await this.get(id);
    const updated = await this.db
      .updateTable('projects')
      .set({
        updated_at: new Date(),
        ...(input.name !== undefined && { name: input.name }),
        ...(input.selfRegisterTypes && { self_register_types: [...input.selfRegisterTypes] }),
        ...(input.accessTokenTtlSeconds !== undefined && { access_token_ttl_seconds: input.accessTokenTtlSeconds }),
        ...(input.refreshTokenTtlSeconds !== undefined && { refresh_token_ttl_seconds: input.refreshTokenTtlSeconds }),
        ...(input.settings && { settings: JSON.stringify({ ...current.settings, ...input.settings }) }),
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    this.projectCache.delete(id);
    return updated;
  }

  list(): Promise<Project[]> {
    return this.db.selectFrom('projects').selectAll().where('kind', '=', 'tenant').orderBy('created_at').orderBy('id').execute();
  }

  async get(id: string): Promise<Project> {
    const hit = this.projectCache.get(id);
    if (hit !== undefined && Date.now() - hit.at < CACHE_MS) return hit.value;
    const project = isUuid(id) ? await this.db.selectFrom('projects').selectAll().where('id', '=', id).executeTakeFirst() : undefined;
    if (project === undefined) throw new GatehouseError(ErrorCode.ProjectNotFound, 'Project not found');
    this.projectCache.set(id, { value: project, at: Date.now() });
    return project;
  }

  private originCache: { value: ReadonlySet<string>; at: number } | undefined;

  /** Every origin some client application allows (CORS and CSRF checks), cached like the rest. */
  async allowedOrigins(): Promise<ReadonlySet<string>> {
    if (this.originCache !== undefined && Date.now() - this.originCache.at < CACHE_MS) return this.originCache.value;
    const rows = await this.db.selectFrom('clients').select('allowed_origins').execute();
    const value = new Set(rows.flatMap((row) => row.allowed_origins.map((origin) => origin.replace(/\/+$/, ''))));
    this.originCache = { value, at: Date.now() };
    return value;
  }

  /** `oauth`: the client's OAuth registration (core/oidc/clients.ts checks it), else the column defaults. */
  async createClient(
    projectId: string,
    name: string,
    allowedOrigins: readonly string[] = [],
    oauth: ClientRegistration = {},
  ): Promise<Client> {
    await this.get(projectId);
    this.originCache = undefined;
    return this.db
      .insertInto('clients')
      .values({ id: randomUUID(), project_id: projectId, name, allowed_origins: [...allowedOrigins], ...oauth })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  /** Changes a client's OAuth registration (a new secret); the cached copy is dropped. */
  async updateClient(clientId: string, changes: ClientRegistration): Promise<Client> {
    const updated = await this.db
      .updateTable('clients')
      .set({ ...changes, updated_at: new Date() })
      .where('id', '=', clientId)
      .returningAll()
      .executeTakeFirst();
    this.clientCache.delete(clientId);
    if (updated === undefined) throw new GatehouseError(ErrorCode.ClientNotFound, 'Client application not found');
    return updated;
  }

  async listClients(projectId: string): Promise<Client[]> {
    await this.get(projectId);
    return this.db.selectFrom('clients').selectAll().where('project_id', '=', projectId).orderBy('created_at').orderBy('id').execute();
  }

  /** The client application a `clientId` names, or ClientNotFound. */
  async client(clientId: string): Promise<Client> {
    const hit = this.clientCache.get(clientId);
    if (hit !== undefined && Date.now() - hit.at < CACHE_MS) return hit.value;
    const client = isUuid(clientId)
      ? await this.db.selectFrom('clients').selectAll().where('id', '=', clientId).executeTakeFirst()
      : undefined;
    if (client === undefined) throw new GatehouseError(ErrorCode.ClientNotFound, 'Client application not found');
    this.clientCache.set(clientId, { value: client, at: Date.now() });
    return client;
  }

  /** The client as stored right now, bypassing the cache (secret checks: a rotation counts at once). */
  async freshClient(clientId: string): Promise<Client | undefined> {
    if (!isUuid(clientId)) return undefined;
    const client = await this.db.selectFrom('clients').selectAll().where('id', '=', clientId).executeTakeFirst();
    if (client !== undefined) this.clientCache.set(clientId, { value: client, at: Date.now() });
    return client;
  }

  /** The first client of a project: contracts whose requests carry no client id act as it. */
  async primaryClient(projectId: string): Promise<Client> {
    const hit = this.primaryClientCache.get(projectId);
    if (hit !== undefined && Date.now() - hit.at < CACHE_MS) return hit.value;
    const found = await this.db
      .selectFrom('clients')
      .selectAll()
      .where('project_id', '=', projectId)
      .orderBy('created_at')
      .orderBy('id')
      .executeTakeFirst();
    // The oldest client stays the oldest: new clients never change which one this is.
    const client = found ?? (await this.createClient(projectId, 'Default Client'));
    this.primaryClientCache.set(projectId, { value: client, at: Date.now() });
    return client;
  }
}

export function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

function validateSettings(input: ProjectSettingsInput): void {
  const problems: FieldProblem[] = [];
  if (input.name !== undefined && input.name.trim() === '') problems.push({ field: 'name', message: 'Name is required' });
  for (const type of input.selfRegisterTypes ?? []) {
    if (!(PROFILE_TYPES as readonly string[]).includes(type)) {
      problems.push({ field: 'selfRegisterTypes', message: `Unknown profile type ${type}` });
    }
  }
  const ttl = input.accessTokenTtlSeconds;
  if (ttl !== undefined && (!Number.isInteger(ttl) || ttl < 60 || ttl > MAX_ACCESS_TOKEN_TTL_SECONDS)) {
    problems.push({ field: 'accessTokenTtlSeconds', message: `Must be an integer from 60 to ${MAX_ACCESS_TOKEN_TTL_SECONDS}` });
  }
  const refresh = input.refreshTokenTtlSeconds;
  if (refresh !== undefined && (!Number.isInteger(refresh) || refresh < 60 || refresh > 366 * 24 * 3600)) {
    problems.push({ field: 'refreshTokenTtlSeconds', message: 'Must be an integer from 60 to 31622400' });
  }
  problems.push(...brandingProblems(input.settings?.branding));
  if (problems.length > 0) throw new GatehouseError(ErrorCode.Validation, problems[0]!.message, { fields: problems });
}
