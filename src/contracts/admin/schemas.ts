import { Type, type Static } from 'typebox';
import type { Client, Project } from '../../core/projects.ts';

export const ProfileTypeSchema = Type.Union([Type.Literal('Patient'), Type.Literal('Practitioner'), Type.Literal('RelatedPerson')]);

export const ProjectSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  isDefault: Type.Boolean(),
  selfRegisterTypes: Type.Array(Type.String()),
  accessTokenTtlSeconds: Type.Integer(),
  refreshTokenTtlSeconds: Type.Integer(),
  settings: Type.Record(Type.String(), Type.Unknown()),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

export const ProjectInputSchema = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  selfRegisterTypes: Type.Optional(Type.Array(ProfileTypeSchema, { maxItems: 3 })),
  accessTokenTtlSeconds: Type.Optional(Type.Integer({ minimum: 60, maximum: 86400 })),
  refreshTokenTtlSeconds: Type.Optional(Type.Integer({ minimum: 60, maximum: 31622400 })),
  settings: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});
export type ProjectInput = Static<typeof ProjectInputSchema>;

export const ProjectPatchSchema = Type.Partial(ProjectInputSchema);

export const ClientSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  projectId: Type.String({ format: 'uuid' }),
  name: Type.String(),
  allowedOrigins: Type.Array(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
});

export const ClientInputSchema = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  allowedOrigins: Type.Optional(Type.Array(Type.String({ format: 'uri', maxLength: 300 }), { maxItems: 50 })),
});

export const ProjectParamsSchema = Type.Object({ projectId: Type.String() });

export const AdminErrorSchema = Type.Object({
  error: Type.String(),
  message: Type.String(),
  fields: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
});

export function projectView(project: Project): Static<typeof ProjectSchema> {
  return {
    id: project.id,
    name: project.name,
    isDefault: project.is_default,
    selfRegisterTypes: project.self_register_types,
    accessTokenTtlSeconds: project.access_token_ttl_seconds,
    refreshTokenTtlSeconds: project.refresh_token_ttl_seconds,
    settings: project.settings,
    createdAt: project.created_at.toISOString(),
    updatedAt: project.updated_at.toISOString(),
  };
}

export function clientView(client: Client): Static<typeof ClientSchema> {
  return {
    id: client.id,
    projectId: client.project_id,
    name: client.name,
    allowedOrigins: client.allowed_origins,
    createdAt: client.created_at.toISOString(),
  };
}
