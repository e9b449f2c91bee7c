import type { ApiKey, ApiKeys, IssuedApiKey } from '../api-keys.ts';
import type { Principal } from '../auth.ts';
import { assertMayManage } from './credentials.ts';

/** A user's own API keys. Only a caller that may manage the account changes them (see assertMayManage). */
export class ApiKeyControl {
  constructor(private readonly apiKeys: ApiKeys) {}

  list(principal: Principal): Promise<ApiKey[]> {
    return this.apiKeys.list(principal.userId);
  }

  create(
    principal: Principal,
    input: { readonly name: string; readonly permissions: readonly string[] | null; readonly expiresAt: Date | null },
  ): Promise<IssuedApiKey> {
    assertMayManage(principal);
    return this.apiKeys.create({ userId: principal.userId, projectId: principal.projectId, ...input });
  }

  async revoke(principal: Principal, id: number): Promise<void> {
    assertMayManage(principal);
    await this.apiKeys.revoke(principal.userId, id);
  }

  makePrimary(principal: Principal, id: number): Promise<ApiKey> {
    assertMayManage(principal);
    return this.apiKeys.makePrimary(principal.userId, id);
  }
}
