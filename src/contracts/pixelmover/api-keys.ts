import type { FastifyRequest } from 'fastify';
import { ErrorCode, GatehouseError } from '../../core/errors.ts';
import { principalOf } from '../../http/authenticate.ts';
import { limits } from '../../http/route-limits.ts';
import { endpoint } from '../../http/routes.ts';
import { rulesSchema } from './framework/rule-schema.ts';
import { laravelInput, validate, type Rules } from './framework/validation.ts';
import { signedIn, type PixelmoverDeps } from './guard.ts';
import { ApiKeyListResponse, ApiKeyResponse, KeyParams, MessageResponse, errorResponses } from './schemas.ts';
import { apiKeyView } from './views.ts';

const CREATE_RULES: Rules = {
  name: 'required|string|max:255',
  permissions: 'nullable|array',
  'permissions.*': 'string|max:255',
  expires_at: 'nullable|date|after:now',
};
const tags = ['pixelmover'];

/** Route-model binding: anything but a key id of this user is "No query results". */
function keyId(request: FastifyRequest): number {
  const raw = (request.params as { id?: unknown }).id;
  const id = typeof raw === 'string' && /^\d{1,15}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(id) || id < 1) {
    throw new GatehouseError(ErrorCode.NotFound, 'API key not found', { data: { model: 'ApiKey', id: String(raw) } });
  }
  return id;
}

/** GET /v1/api-keys: the user's keys, masked. */
export const listApiKeys = ({ api, cookieName }: PixelmoverDeps) =>
  endpoint({
    schema: {
      tags,
      summary: 'api-keys.index',
      description: 'Keys are stored hashed: `key` is the masked form, like `masked_key`.',
      response: { 200: ApiKeyListResponse, ...errorResponses },
    },
    preHandler: signedIn(api, cookieName),
    handler: async (request) => ({ success: true, data: (await api.apiKeys.list(principalOf(request))).map(apiKeyView) }),
  });

/** POST /v1/api-keys: a new key, shown in full in this answer only. */
export const createApiKey = ({ api, cookieName }: PixelmoverDeps) =>
  endpoint({
    schema: {
      tags,
      summary: 'api-keys.store',
      description: 'The full key is in this response only.',
      body: rulesSchema(CREATE_RULES, { title: 'CreateApiKeyRequest' }),
      response: { 201: ApiKeyResponse, ...errorResponses },
    },
    config: limits('api'),
    preHandler: signedIn(api, cookieName),
    handler: async (request, reply) => {
      const input = await validate(laravelInput(request.body), CREATE_RULES);
      const permissions = Array.isArray(input.permissions)
        ? input.permissions.map(String)
        : input.permissions === null || input.permissions === undefined
          ? null
          : Object.values(input.permissions).map(String);
      const { apiKey, key } = await api.apiKeys.create(principalOf(request), {
        name: String(input.name),
        permissions,
        expiresAt: typeof input.expires_at === 'string' ? new Date(input.expires_at) : null,
      });
      return reply.code(201).send({ success: true, data: { ...apiKeyView(apiKey), key } });
    },
  });

/** DELETE /v1/api-keys/:id: revokes a key for good. */
export const deleteApiKey = ({ api, cookieName }: PixelmoverDeps) =>
  endpoint({
    schema: { tags, summary: 'api-keys.destroy', params: KeyParams, response: { 200: MessageResponse, ...errorResponses } },
    config: limits('api'),
    preHandler: signedIn(api, cookieName),
    handler: async (request) => {
      await api.apiKeys.revoke(principalOf(request), keyId(request));
      return { success: true, message: 'API key deleted successfully.' };
    },
  });

/** POST /v1/api-keys/:id/primary: makes this key the primary one (and no other). */
export const makePrimaryApiKey = ({ api, cookieName }: PixelmoverDeps) =>
  endpoint({
    schema: {
      tags,
      summary: 'api-keys.primary',
      description: 'Makes this key the primary one (and no other).',
      params: KeyParams,
      response: { 200: ApiKeyResponse, ...errorResponses },
    },
    config: limits('api'),
    preHandler: signedIn(api, cookieName),
    handler: async (request) => ({ success: true, data: apiKeyView(await api.apiKeys.makePrimary(principalOf(request), keyId(request))) }),
  });
