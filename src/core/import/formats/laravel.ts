import type { Readable } from 'node:stream';
import type { KeyItem, SourceItem } from '../types.ts';
import { csvRows } from './csv.ts';

/**
 * A Laravel app's `users` table as CSV (`SELECT * FROM users`): `id, name, email,
 * email_verified_at, password, remember_token, created_at, updated_at`, and PixelMover's
 * `company, timezone, credits, role, plan, last_login_at` when present. The Laravel id becomes
 * the user's number (PixelMover's integer `id`). Empty cells are nulls.
 */
export async function* laravelFormat(input: Readable): AsyncGenerator<SourceItem> {
  for await (const item of csvRows(input, ['id', 'email'])) {
    if ('failed' in item) {
      yield item;
      continue;
    }
    const row = item.row;
    const cell = (name: string): string | undefined => {
      const value = row[name]?.trim();
      return value === undefined || value === '' ? undefined : value;
    };
    const id = cell('id');
    const credits = cell('credits');
    yield {
      line: item.line,
      value: {
        email: cell('email'),
        passwordHash: cell('password'),
        emailVerified: cell('email_verified_at') !== undefined,
        name: cell('name'),
        company: cell('company'),
        timezone: cell('timezone'),
        credits: credits === undefined ? undefined : /^-?\d+(\.\d+)?$/.test(credits) ? Number(credits) : credits,
        role: cell('role'),
        plan: cell('plan'),
        createdAt: cell('created_at'),
        lastLoginAt: cell('last_login_at'),
        ids: id === undefined ? undefined : { number: /^\d+$/.test(id) ? Number(id) : id },
      },
    };
  }
}

/** The API keys file of a Laravel import (`--api-keys`): `user_id, name, sha256, is_primary`. */
export async function* laravelApiKeys(input: Readable): AsyncGenerator<KeyItem> {
  for await (const item of csvRows(input, ['user_id', 'sha256'], 'api-keys')) {
    if ('failed' in item) {
      yield item;
      continue;
    }
    const { row, line } = item;
    const userId = row.user_id?.trim() ?? '';
    const sha256 = row.sha256?.trim() ?? '';
    const fail = (field: string, error: string): KeyItem => ({ line, failed: { line, field, error, file: 'api-keys' } });
    if (!/^\d+$/.test(userId) || Number(userId) <= 0 || !Number.isSafeInteger(Number(userId))) {
      yield fail('user_id', 'user_id must be a positive integer');
    } else if (!/^[0-9a-f]{64}$/i.test(sha256)) {
      yield fail('sha256', 'sha256 must be the SHA-256 of the key as 64 hex characters');
    } else {
      const name = row.name?.trim() || 'API key';
      yield {
        line,
        userNumber: Number(userId),
        key: { name: name.slice(0, 255), sha256: sha256.toLowerCase(), isPrimary: /^(1|true|t|yes)$/i.test(row.is_primary?.trim() ?? '') },
      };
    }
  }
}
