import type { AuditFilter, AuditLog, AuditRow, VerifyResult } from '../audit.ts';
import type { SecurityEvents } from '../events.ts';
import type { KeyStore } from '../keys.ts';
import type { Mailer, OutboxRow } from '../mail/outbox.ts';
import { type MailKind, render, templateFor, type Template } from '../mail/templates.ts';
import type { ClientInput, IssuedClient, OAuthClients } from '../oidc/clients.ts';
import type { Client, Project, Projects, ProjectSettingsInput } from '../projects.ts';
import { actorFields, assertMay, type Actor } from './actor.ts';

/**
 * Gatehouse's own administration (admin API and CLI): projects, client applications, signing
 * keys, the audit log and the outbox. Every change is an audit event naming who made it.
 */
export class Administration {
  constructor(
    private readonly deps: {
      readonly projects: Projects;
      readonly keys: KeyStore;
      readonly audit: AuditLog;
      readonly mail: Mailer;
      readonly events: SecurityEvents;
      readonly clients: OAuthClients;
    },
  ) {}

  listProjects(): Promise<Project[]> {
    return this.deps.projects.list();
  }

  project(id: string): Promise<Project> {
    return this.deps.projects.get(id);
  }

  async createProject(input: ProjectSettingsInput & { readonly name: string }, actor: Actor): Promise<Project> {
    assertMay(actor, 'projects.write');
    const project = await this.deps.projects.create(input);
    this.record('admin.project.create', actor, { projectId: project.id });
    return project;
  }

  async updateProject(id: string, input: ProjectSettingsInput, actor: Actor): Promise<Project> {
    assertMay(actor, 'projects.write');
    const project = await this.deps.projects.update(id, input);
    this.record('admin.project.update', actor, { projectId: project.id });
    return project;
  }

  /** Each email of the project as its users would get it, filled with sample values (the console's preview). */
  async mailPreviews(projectId: string): Promise<Array<{ kind: MailKind; mail: Template }>> {
    const project = await this.deps.projects.get(projectId);
    const kinds: MailKind[] = ['verify-email', 'password-reset', 'password-changed'];
    const values = {
      projectName: project.name,
      email: 'ada@example.com',
      name: 'Ada Lovelace',
      link: 'https://example.com/…',
      expiresIn: '1 hour',
    };
    return kinds.map((kind) => ({ kind, mail: render(templateFor(project, kind), values) }));
  }

  listClients(projectId: string): Promise<Client[]> {
    return this.deps.projects.listClients(projectId);
  }

  /** A client application, also an OAuth client (core/oidc/clients.ts); a confidential one's secret is in the answer only. */
  async createClient(projectId: string, input: ClientInput, actor: Actor): Promise<IssuedClient> {
    assertMay(actor, 'projects.write');
    const issued = await this.deps.clients.register(projectId, input);
    this.record(
      'admin.client.create',
      actor,
      { projectId: issued.client.project_id, clientId: issued.client.id },
      { type: issued.client.client_type },
    );
    return issued;
  }

  /** A new secret for a confidential client; the old one stops working at once. */
  async rotateClientSecret(projectId: string, clientId: string, actor: Actor): Promise<IssuedClient> {
    assertMay(actor, 'projects.write');
    const issued = await this.deps.clients.rotateSecret(projectId, clientId);
    this.record('admin.client.rotate_secret', actor, { projectId, clientId });
    return issued;
  }

  /** Signs new tokens with a fresh key; the old keys keep verifying until their tokens expire. */
  async rotateKeys(actor: Actor): Promise<{ kid: string; retired: string[] }> {
    assertMay(actor, 'keys.rotate');
    const rotated = await this.deps.keys.rotate();
    this.record('admin.keys.rotate', actor, {}, { kid: rotated.kid });
    return rotated;
  }

  auditPage(filter: AuditFilter): Promise<AuditRow[]> {
    return this.deps.audit.list(filter);
  }

  /** Audit rows after `afterId`, oldest first (`audit tail --follow`). */
  auditAfter(afterId: number, limit: number): Promise<AuditRow[]> {
    return this.deps.audit.after(afterId, limit);
  }

  verifyAudit(): Promise<VerifyResult> {
    return this.deps.audit.verify();
  }

  /** Emails the server wrote, newest first, and whether they go out through SMTP or stay in the outbox. */
  async outbox(filter: {
    readonly to?: string | undefined;
    readonly limit: number;
  }): Promise<{ mode: 'smtp' | 'outbox'; items: OutboxRow[] }> {
    return { mode: this.deps.mail.mode, items: await this.deps.mail.list(filter) };
  }

  private record(action: string, actor: Actor, ids: { projectId?: string; clientId?: string }, detail: Record<string, unknown> = {}): void {
    const { remoteAddress, actor: name } = actorFields(actor);
    this.deps.events.emit({
      action,
      outcome: 'success',
      ...ids,
      ...(remoteAddress !== undefined && { remoteAddress }),
      detail: { ...detail, actor: name },
    });
  }
}
