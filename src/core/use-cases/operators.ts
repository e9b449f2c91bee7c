import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { PasswordHasher } from '../passwords.ts';
import type { Projects } from '../projects.ts';
import type { User, Users } from '../users.ts';
import { actorFields, assertMay, type Actor, OPERATOR_ROLES, type OperatorRole } from './actor.ts';
import type { SecurityEvents } from '../events.ts';
import { ErrorCode, GatehouseError } from '../errors.ts';

export interface Operator {
  readonly id: string;
  readonly email: string;
  readonly role: OperatorRole;
  readonly active: boolean;
  readonly createdAt: Date;
  readonly lastLoginAt: Date | null;
}

/**
 * Gatehouse's own operators: users of the system project (which no contract serves), each with
 * a role (`admin` or `support`). They sign in to the console through the hosted sign-in pages.
 */
export class Operators {
  constructor(
    private readonly deps: {
      readonly projects: Projects;
      readonly users: Users;
      readonly hasher: PasswordHasher;
      readonly events: SecurityEvents;
      readonly logger: Logger;
    },
  ) {}

  /**
   * A new operator. Without a password one is generated and returned (shown once); the operator
   * signs in with it and changes it.
   */
  async create(
    actor: Actor,
    input: { email: string; role: OperatorRole; password?: string },
  ): Promise<{ operator: Operator; password: string | undefined }> {
    assertMay(actor, 'operators.write');
    if (!(OPERATOR_ROLES as readonly string[]).includes(input.role)) {
      throw new GatehouseError(ErrorCode.Validation, `Role must be one of ${OPERATOR_ROLES.join(', ')}`, {
        fields: [{ field: 'role', message: `Role must be one of ${OPERATOR_ROLES.join(', ')}` }],
      });
    }
    const generated = input.password === undefined ? randomBytes(18).toString('base64url') : undefined;
    const project = await this.deps.projects.systemProject();
    if ((await this.deps.users.taken(project.id, input.email)) !== undefined) {
      throw new GatehouseError(ErrorCode.EmailTaken, 'An operator with this email exists', {
        fields: [{ field: 'email', message: 'An operator with this email exists' }],
      });
    }
    const { user } = await this.deps.users.create({
      projectId: project.id,
      email: input.email,
      passwordHash: await this.deps.hasher.hash(input.password ?? generated ?? ''),
      role: input.role,
      emailVerified: true,
      profileType: 'Practitioner',
    });
    const { remoteAddress, actor: name } = actorFields(actor);
    this.deps.events.emit({
      action: 'admin.operator.create',
      outcome: 'success',
      projectId: project.id,
      userId: user.id,
      ...(remoteAddress !== undefined && { remoteAddress }),
      detail: { role: input.role, actor: name },
    });
    return { operator: operatorView(user), password: generated };
  }

  async list(actor: Actor): Promise<Operator[]> {
    assertMay(actor, 'read');
    const project = await this.deps.projects.systemProject();
    return (await this.deps.users.search({ projectId: project.id, limit: 1000 })).map(operatorView);
  }

  /** The operator a console session stands for, or Forbidden (a user of another project, a disabled operator). */
  async actorFor(userId: string, remoteAddress: string | undefined): Promise<Actor> {
    return (await this.signedIn(userId, remoteAddress)).actor;
  }

  /** The operator's actor and email (the console shows who is signed in). */
  async signedIn(
    userId: string,
    remoteAddress: string | undefined,
  ): Promise<{ actor: Extract<Actor, { kind: 'operator' }>; email: string }> {
    const [user, project] = await Promise.all([this.deps.users.byId(userId), this.deps.projects.systemProject()]);
    if (user.project_id !== project.id || !user.is_active || !(OPERATOR_ROLES as readonly string[]).includes(user.role)) {
      throw new GatehouseError(ErrorCode.Forbidden, 'Not an operator');
    }
    return { actor: { kind: 'operator', operatorId: user.id, role: user.role as OperatorRole, remoteAddress }, email: user.email };
  }

  /** Logs how to create the first operator while there is none (first start). */
  async announceIfNone(): Promise<void> {
    const project = await this.deps.projects.systemProject();
    if ((await this.deps.users.search({ projectId: project.id, limit: 1 })).length > 0) return;
    this.deps.logger.info(
      'no operator yet: create the first one with `gatehouse operators create you@example.com --role admin`, then sign in at /console',
    );
  }
}

function operatorView(user: User): Operator {
  return {
    id: user.id,
    email: user.email,
    role: user.role as OperatorRole,
    active: user.is_active,
    createdAt: user.created_at,
    lastLoginAt: user.last_login_at,
  };
}
