import { Type, type Static } from 'typebox';
import { maskedKey } from '../../core/api-keys.ts';
import type { User } from '../../core/users.ts';
import type { UserDetail } from '../../core/use-cases/user-administration.ts';
import { auditEntryView, AuditEntrySchema } from './audit.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

export const UserSummarySchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  projectId: Type.String({ format: 'uuid' }),
  number: Type.Integer({ description: 'PixelMover id' }),
  email: Type.String(),
  account: Nullable(Type.String()),
  name: Type.String(),
  role: Type.String(),
  active: Type.Boolean(),
  emailVerified: Type.Boolean(),
  plan: Type.String(),
  credits: Type.Number(),
  createdAt: Type.String({ format: 'date-time' }),
  lastLoginAt: Nullable(Type.String({ format: 'date-time' })),
  deletionScheduledAt: Nullable(Type.String({ format: 'date-time' })),
});

export const UserDetailSchema = Type.Object({
  user: UserSummarySchema,
  profile: Type.Object({ reference: Type.String({ description: 'Ovok profile reference, e.g. Patient/<id>' }), type: Type.String() }),
  project: Type.Object({ id: Type.String(), name: Type.String() }),
  mfaEnrolled: Type.Boolean(),
  locked: Type.Boolean({ description: 'Logins held back right now by the lockout' }),
  apiKeys: Type.Array(
    Type.Object({
      id: Type.Integer(),
      name: Type.String(),
      maskedKey: Type.String(),
      primary: Type.Boolean(),
      active: Type.Boolean(),
      lastUsedAt: Nullable(Type.String()),
      expiresAt: Nullable(Type.String()),
    }),
  ),
  sessions: Type.Array(
    Type.Object({
      id: Type.String(),
      kind: Type.String(),
      authMethod: Type.String(),
      remoteAddress: Nullable(Type.String()),
      userAgent: Nullable(Type.String()),
      lastUsedAt: Type.String(),
      expiresAt: Type.String(),
    }),
  ),
  audit: Type.Array(AuditEntrySchema),
});

export function userSummary(user: User): Static<typeof UserSummarySchema> {
  return {
    id: user.id,
    projectId: user.project_id,
    number: user.number,
    email: user.email,
    account: user.account,
    name: `${user.first_name} ${user.last_name}`.trim(),
    role: user.role,
    active: user.is_active,
    emailVerified: user.email_verified,
    plan: user.plan,
    credits: user.credits,
    createdAt: user.created_at.toISOString(),
    lastLoginAt: user.last_login_at?.toISOString() ?? null,
    deletionScheduledAt: user.deletion_scheduled_at?.toISOString() ?? null,
  };
}

export function userDetail(detail: UserDetail): Static<typeof UserDetailSchema> {
  const { user, profile, project } = detail;
  return {
    user: userSummary(user),
    profile: { reference: `${profile.resource_type}/${profile.id}`, type: profile.resource_type },
    project: { id: project.id, name: project.name },
    mfaEnrolled: detail.mfaEnrolled,
    locked: detail.locked,
    apiKeys: detail.apiKeys.map((key) => ({
      id: key.id,
      name: key.name,
      maskedKey: maskedKey(key),
      primary: key.is_primary,
      active: key.is_active && (key.expires_at === null || key.expires_at > new Date()),
      lastUsedAt: key.last_used_at?.toISOString() ?? null,
      expiresAt: key.expires_at?.toISOString() ?? null,
    })),
    sessions: detail.sessions.map((session) => ({
      id: session.id,
      kind: session.kind,
      authMethod: session.auth_method,
      remoteAddress: session.remote_address,
      userAgent: session.user_agent,
      lastUsedAt: session.last_used_at.toISOString(),
      expiresAt: session.expires_at.toISOString(),
    })),
    audit: detail.audit.map(auditEntryView),
  };
}
