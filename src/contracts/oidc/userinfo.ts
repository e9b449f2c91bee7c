import { Type } from 'typebox';
import type { FastifyRequest } from 'fastify';
import { ErrorCode, GatehouseError } from '../../core/errors.ts';
import type { GatehouseApi } from '../../core/use-cases/index.ts';
import { bearerToken } from '../../http/request-context.ts';
import { limits } from '../../http/route-limits.ts';
import { endpoint } from '../../http/routes.ts';
import { noStore } from './http.ts';
import { OAuthErrorSchema } from './schemas.ts';

const UserinfoSchema = Type.Object(
  {
    sub: Type.String(),
    name: Type.Optional(Type.String()),
    given_name: Type.Optional(Type.String()),
    family_name: Type.Optional(Type.String()),
    updated_at: Type.Optional(Type.Integer()),
    email: Type.Optional(Type.String()),
    email_verified: Type.Optional(Type.Boolean()),
    fhirUser: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
const response = { 200: UserinfoSchema, 401: OAuthErrorSchema, 403: OAuthErrorSchema };
const description =
  'The claims the access token’s scopes release (OpenID Connect Core §5.3). The token comes in `Authorization: Bearer`, or for POST in the form field `access_token` (RFC 6750 §2.2).';

/** RFC 6750: one method of presenting the token, not two. */
function tokenOf(request: FastifyRequest, body?: { access_token?: string | undefined }): string | undefined {
  const header = bearerToken(request);
  if (header !== undefined && body?.access_token !== undefined)
    throw new GatehouseError(ErrorCode.Validation, 'Present the access token once');
  return header ?? body?.access_token;
}

/** GET /oauth2/userinfo */
export const userinfoGet = (api: GatehouseApi) =>
  endpoint({
    schema: { tags: ['oidc'], summary: 'UserInfo endpoint', description, response },
    handler: async (request, reply) => {
      noStore(reply);
      return api.oidc.inspection.userinfo(tokenOf(request));
    },
  });

/** POST /oauth2/userinfo */
export const userinfoPost = (api: GatehouseApi) =>
  endpoint({
    schema: {
      tags: ['oidc'],
      summary: 'UserInfo endpoint (POST)',
      description,
      body: Type.Optional(Type.Object({ access_token: Type.Optional(Type.String({ maxLength: 8192 })) }, { additionalProperties: true })),
      response,
    },
    config: limits('api'),
    handler: async (request, reply) => {
      noStore(reply);
      return api.oidc.inspection.userinfo(tokenOf(request, request.body));
    },
  });
