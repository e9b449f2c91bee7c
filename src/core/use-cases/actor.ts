import { ErrorCode, GatehouseError } from '../errors.ts';

export const OPERATOR_ROLES = ['admin', 'support'] as const;
export type OperatorRole = (typeof OPERATOR_ROLES)[number];

/** Who performs an administrative action: the admin token (automation), the CLI, or a named operator. */
export type Actor =
  | { readonly kind: 'admin-token'; readonly remoteAddress?: string | undefined }
  | { readonly kind: 'cli' }
  | { readonly kind: 'operator'; readonly operatorId: string; readonly role: OperatorRole; readonly remoteAddress?: string | undefined };

export const CLI_ACTOR: Actor = { kind: 'cli' };

/** What an administrative action needs. */
export type Permission =
  | 'read'
  | 'users.unlock'
  | 'users.sessions'
  | 'users.mail'
  | 'users.update'
  | 'users.mfa'
  | 'users.delete'
  | 'users.import'
  | 'projects.write'
  | 'keys.rotate'
  | 'backup'
  | 'operators.write';

/** Support operators read, unlock, end sessions and resend emails; no deletes, no keys, no project settings. */
const SUPPORT: ReadonlySet<Permission> = new Set(['read', 'users.unlock', 'users.sessions', 'users.mail']);

/** Refuses (403) an action the actor's role does not allow. The admin token and the CLI may do everything. */
export function assertMay(actor: Actor, permission: Permission): void {
  if (actor.kind !== 'operator' || actor.role === 'admin' || SUPPORT.has(permission)) return;
  throw new GatehouseError(ErrorCode.Forbidden, `A ${actor.role} operator may not do this (${permission})`);
}

export function may(actor: Actor, permission: Permission): boolean {
  return actor.kind !== 'operator' || actor.role === 'admin' || SUPPORT.has(permission);
}

/** The audit-log fields naming the actor: `detail.actor` is "admin token", "cli" or "operator:<id>". */
export function actorFields(actor: Actor): { remoteAddress?: string; actor: string } {
  const address = actor.kind === 'cli' ? undefined : actor.remoteAddress;
  const name = actor.kind === 'admin-token' ? 'admin token' : actor.kind === 'cli' ? 'cli' : `operator:${actor.operatorId}`;
  return { actor: name, ...(address !== undefined && { remoteAddress: address }) };
}
