import type { Readable } from 'node:stream';
import type { CanonicalUser, SourceItem } from '../types.ts';
import { jsonLines } from './gatehouse.ts';
import { blankToUndefined, idsFromSourceId, isRecord } from './shared.ts';

/**
 * The FastAPI full-stack template's `user` rows as JSON Lines (`id, email, hashed_password,
 * full_name, is_active, is_superuser`), with JinuAI's `account` and `name`. Hashes are passlib's
 * (bcrypt, pbkdf2_sha256) or pwdlib's (argon2, bcrypt).
 */
export async function* fastapiFormat(input: Readable): AsyncGenerator<SourceItem> {
  for await (const item of jsonLines(input)) {
    if (!('value' in item) || !isRecord(item.value)) {
      yield item;
      continue;
    }
    const row = item.value;
    const user: Record<string, unknown> = {
      email: row.email,
      passwordHash: blankToUndefined(row.hashed_password),
      name: blankToUndefined(row.name) ?? blankToUndefined(row.full_name),
      account: blankToUndefined(row.account),
      disabled: row.is_active === undefined || row.is_active === null ? undefined : row.is_active === false,
      role: row.is_superuser === true ? 'admin' : undefined,
      emailVerified: typeof row.is_verified === 'boolean' ? row.is_verified : undefined,
      createdAt: blankToUndefined(row.created_at),
      ids: idsFromSourceId(row.id),
    } satisfies Partial<Record<keyof CanonicalUser, unknown>>;
    yield { line: item.line, value: user };
  }
}
