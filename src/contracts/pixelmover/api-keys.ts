import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ErrorCode, GatehouseError } from '../../core/errors.ts';
import type { Core } from '../../core/index.ts';
import { principalOf } from '../../http/auth-guard.ts';
import { pixelmoverGuard } from './guard.ts';
import { ApiKeyListResponse, ApiKeyResponse, CreateApiKeyBody, KeyParams, MessageResponse, errorResponses } from './schemas.ts';
import { laravelInput, validate, type Rules } from './validation.ts';
import { apiKeyView } from './views.ts';

const CREATE_RULES: Rules = {
  name: 'required|string|max:255',
  permissions: 'nullable|array',
  'permissions.*': 'string|max:255',
  expires_at: 'nullable|date|after:now',
};

/** Route-model binding: anything but a key id of this user is "No query results". */
function keyId(request: FastifyRequest): number {
  const raw = (request.params as { id?: unknown }).id;
  const id = typeof raw === 'string' && /^\d{1,15}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(id) || id < 1) {
    throw new GatehouseError(ErrorCode.NotFound, 'API key not found', { data: { model: 'ApiKey', id: String(raw) } });
  }
  return id;
}

export function registerApiKeyRoutes(app: FastifyInstance, core: Core): void {
  const guard = pixelmoverGuard(core);
  const manageGuard = pixelmoverGuard(core, { manage: true });
  const tags = ['pixelmover'];

  app.get(
    '/api-keys',
    { preHandler: guard, schema: { tags, summary: 'api-keys.index', description: 'Keys are stored hashed: `key` is the masked form, like `masked_key`.', response: { 200: ApiKeyListResponse, ...errorResponses } } },
    async (request) => ({ success: true, data: (await core.apiKeys.list(principalOf(request).userId)).map(apiKeyView) }),
  );

  app.post(
    '/api-keys',
    {
      preHandler: manageGuard,
      schema: { tags, summary: 'api-keys.store', description: 'The full key is in this response only.', body: CreateApiKeyBody, response: { 201: ApiKeyResponse, ...errorResponses } },
    },
    async (request, reply) => {
      const input = laravelInput(request.body);
      await validate(input, CREATE_RULES);
      const principal = principalOf(request);
      const permissions = Array.isArray(input.permissions) ? input.permissions.map(String) : input.permissions === null || input.permissions === undefined ? null : Object.values(input.permissions).map(String);
      const { apiKey, key } = await core.apiKeys.create({
        userId: principal.userId,
        projectId: principal.projectId,
        name: String(input.name),
        permissions,
        expiresAt: typeof input.expires_at === 'string' ? new Date(input.expires_at) : null,
      });
      return reply.code(201).send({ success: true, data: { ...apiKeyView(apiKey), key } });
    },
  );

  app.delete(
    '/api-keys/:id',
    { preHandler: manageGuard, schema: { tags, summary: 'api-keys.destroy', params: KeyParams, response: { 200: MessageResponse, ...errorResponses } } },
    async (request) => {
      await core.apiKeys.revoke(principalOf(request).userId, keyId(request));
      return { success: true, message: 'API key deleted successfully.' };
    },
  );

  app.post(
    '/api-keys/:id/primary',
    { preHandler: manageGuard, schema: { tags, summary: 'api-keys.primary', description: 'Makes this key the primary one (and no other).', params: KeyParams, response: { 200: ApiKeyResponse, ...errorResponses } } },
    async (request) => ({ success: true, data: apiKeyView(await core.apiKeys.makePrimary(principalOf(request).userId, keyId(request))) }),
  );
}
