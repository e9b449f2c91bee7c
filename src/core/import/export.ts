import { Readable } from 'node:stream';
import type { ImportServices } from './importer.ts';
import { NO_PASSWORD } from '../password-formats.ts';
import type { ProfileType } from '../projects.ts';
import type { CanonicalApiKey, CanonicalUser } from './types.ts';

const PAGE_SIZE = 1000;

export interface ExportOptions {
  readonly projectId: string;
  /** Include confirmed TOTP secrets in clear (base32): the file is then as secret as the factors. */
  readonly includeTotp?: boolean;
}

/**
 * A project's users as canonical JSON Lines (the import format), page by page in number order,
 * so memory stays flat: password hashes, ids, API-key digests, and with includeTotp the TOTP
 * secrets. Sessions, refresh tokens and recovery codes are never exported.
 */
export async function* exportUsers(
  core: Pick<ImportServices, 'projects' | 'database' | 'secrets'>,
  options: ExportOptions,
): AsyncGenerator<string> {
  const project = await core.projects.get(options.projectId);
  const { db } = core.database;
  const box = options.includeTotp === true ? core.secrets.box : undefined;
  let after = 0;
  for (;;) {
    const users = await db
      .selectFrom('users')
      .innerJoin('profiles', 'profiles.user_id', 'users.id')
      .selectAll('users')
      .select(['profiles.id as profile_id', 'profiles.membership_id', 'profiles.resource_type'])
      .where('users.project_id', '=', project.id)
      .where('users.number', '>', after)
      .orderBy('users.number')
      .limit(PAGE_SIZE)
      .execute();
    if (users.length === 0) return;
    const ids = users.map((user) => user.id);
    const keys = await db
      .selectFrom('api_keys')
      .selectAll()
      .where('user_id', 'in', ids)
      .where('revoked_at', 'is', null)
      .orderBy('id')
      .execute();
    const keysOf = new Map<string, CanonicalApiKey[]>();
    for (const key of keys) {
      const list = keysOf.get(key.user_id) ?? [];
      list.push({
        name: key.name,
        sha256: Buffer.from(key.key_hash).toString('hex'),
        ...(key.prefix !== '' && { prefix: key.prefix }),
        ...(key.last_four !== '' && { lastFour: key.last_four }),
        isPrimary: key.is_primary,
        createdAt: key.created_at.toISOString(),
        ...(key.expires_at !== null && { expiresAt: key.expires_at.toISOString() }),
        ...(key.permissions !== null && { permissions: key.permissions }),
      });
      keysOf.set(key.user_id, list);
    }
    const secrets = new Map<string, string>();
    if (box !== undefined) {
      const factors = await db
        .selectFrom('mfa_factors')
        .select(['user_id', 'secret_encrypted'])
        .where('user_id', 'in', ids)
        .where('confirmed_at', 'is not', null)
        .execute();
      for (const factor of factors) secrets.set(factor.user_id, box.open(factor.secret_encrypted, factor.user_id));
    }
    let page = '';
    for (const user of users) {
      const line: CanonicalUser = {
        email: user.email,
        ...(user.password_hash !== NO_PASSWORD && { passwordHash: user.password_hash }),
        emailVerified: user.email_verified,
        ...(user.first_name !== '' && { name: user.first_name }),
        ...(user.last_name !== '' && { surname: user.last_name }),
        ...(user.account !== null && { account: user.account }),
        ...(user.company !== null && { company: user.company }),
        timezone: user.timezone,
        role: user.role,
        plan: user.plan,
        credits: user.credits,
        createdAt: user.created_at.toISOString(),
        ...(user.last_login_at !== null && { lastLoginAt: user.last_login_at.toISOString() }),
        ...(!user.is_active && { disabled: true }),
        ids: {
          user: user.id,
          number: user.number,
          profile: user.profile_id,
          profileType: user.resource_type as ProfileType,
          membership: user.membership_id,
        },
        ...(keysOf.has(user.id) && { apiKeys: keysOf.get(user.id) }),
        ...(secrets.has(user.id) && { totpSecret: secrets.get(user.id) }),
      };
      page += `${JSON.stringify(line)}\n`;
    }
    yield page;
    after = users[users.length - 1]?.number ?? after;
  }
}

/** exportUsers as a byte stream (for the CLI's stdout and the admin API's response). */
export function exportStream(core: Pick<ImportServices, 'projects' | 'database' | 'secrets'>, options: ExportOptions): Readable {
  return Readable.from(exportUsers(core, options), { objectMode: false });
}
