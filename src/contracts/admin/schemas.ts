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
  redirectUris: Type.Array(Type.String()),
  postLogoutRedirectUris: Type.Array(Type.String()),
  type: Type.Union([Type.Literal('public'), Type.Literal('confidential')]),
  grantTypes: Type.Array(Type.String()),
  scopes: Type.Array(Type.String()),
  firstParty: Type.Boolean(),
  /** Only in the answer that created it or rotated it; kept as a hash. */
  secret: Type.Optional(Type.String({ description: 'The client secret, shown once' })),
  secretRotatedAt: Type.Optional(Type.String({ format: 'date-time' })),
  createdAt: Type.String({ format: 'date-time' }),
});

const UriList = Type.Array(Type.String({ minLength: 1, maxLength: 2000 }), { maxItems: 50 });

export const ClientInputSchema = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  allowedOrigins: Type.Optional(Type.Array(Type.String({ format: 'uri', maxLength: 300 }), { maxItems: 50 })),
  redirectUris: Type.Optional(UriList),
  postLogoutRedirectUris: Type.Optional(UriList),
  type: Type.Optional(Type.Union([Type.Literal('public'), Type.Literal('confidential')], { default: 'public' })),
  grantTypes: Type.Optional(
    Type.Array(Type.Union([Type.Literal('authorization_code'), Type.Literal('refresh_token'), Type.Literal('client_credentials')]), {
      maxItems: 3,
    }),
  ),
  scopes: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 100 })),
  firstParty: Type.Optional(Type.Boolean()),
});

export const ClientParamsSchema = Type.Object({ projectId: Type.String(), clientId: Type.String() });

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

export function clientView(client: Client, secret?: string): Static<typeof ClientSchema> {
  return {
    id: client.id,
    projectId: client.project_id,
    name: client.name,
    allowedOrigins: client.allowed_origins,
    redirectUris: client.redirect_uris,
    postLogoutRedirectUris: client.post_logout_redirect_uris,
    type: client.client_type === 'confidential' ? 'confidential' : 'public',
    grantTypes: client.grant_types,
    scopes: client.scopes,
    firstParty: client.first_party,
    ...(secret !== undefined && { secret }),
    ...(client.secret_rotated_at !== null && { secretRotatedAt: client.secret_rotated_at.toISOString() }),
    createdAt: client.created_at.toISOString(),
  };
}
