import { CompiledQuery } from 'kysely';
import type { Db } from '../../db/connection.ts';
import type { ValidUser } from './canonical.ts';

/**
 * Who already holds the unique values of a batch: emails and accounts in the project, user ids
 * and numbers and profile, membership and key ids anywhere. Each branch is one index scan over
 * an array of values (no join, so no plan can turn it into a scan of a whole table).
 */
const HOLDERS = `
SELECT 'email' AS kind, u.email_normalized AS value, u.id::text AS holder, encode(u.import_fingerprint, 'hex') AS fingerprint, u.import_run::text AS run, u.import_line AS line
  FROM users u WHERE u.project_id = $1 AND u.email_normalized = ANY ($2::text[])
UNION ALL SELECT 'account', u.account, u.id::text, encode(u.import_fingerprint, 'hex'), u.import_run::text, u.import_line
  FROM users u WHERE u.project_id = $1 AND u.account = ANY ($3::text[])
UNION ALL SELECT 'user', u.id::text, u.id::text, encode(u.import_fingerprint, 'hex'), u.import_run::text, u.import_line
  FROM users u WHERE u.id = ANY ($4::uuid[])
UNION ALL SELECT 'number', u.number::text, u.id::text, encode(u.import_fingerprint, 'hex'), u.import_run::text, u.import_line
  FROM users u WHERE u.number = ANY ($5::bigint[])
UNION ALL SELECT 'profile', p.id::text, p.user_id::text, NULL, NULL, NULL FROM profiles p WHERE p.id = ANY ($6::uuid[])
UNION ALL SELECT 'membership', p.membership_id::text, p.user_id::text, NULL, NULL, NULL FROM profiles p WHERE p.membership_id = ANY ($7::uuid[])
UNION ALL SELECT 'key', encode(k.key_hash, 'hex'), k.user_id::text, NULL, NULL, NULL
  FROM api_keys k WHERE k.key_hash = ANY (ARRAY(SELECT decode(h, 'hex') FROM unnest($8::text[]) AS h))`;

interface Holder {
  readonly kind: string;
  readonly value: string;
  readonly holder: string;
  readonly fingerprint: string | null;
  readonly run: string | null;
  readonly line: number | null;
}

export type Verdict =
  | { readonly kind: 'free' }
  | { readonly kind: 'skip' }
  | { readonly kind: 'fail'; readonly field: string; readonly error: string };

/** Sorts a batch's users: free to insert, already imported by an earlier run (skip), or in conflict (fail, with the reason). */
export async function judge(db: Db, projectId: string, runId: string, users: readonly ValidUser[]): Promise<Verdict[]> {
  const parameters = [
    projectId,
    users.map((user) => user.emailNormalized),
    users.flatMap((user) => (user.account === null ? [] : [user.account])),
    users.map((user) => user.id),
    users.flatMap((user) => (user.number === null ? [] : [user.number])),
    users.map((user) => user.profileId),
    users.map((user) => user.membershipId),
    users.flatMap((user) => user.apiKeys.map((key) => key.sha256)),
  ];
  const { rows } = await db.executeQuery<Holder>(CompiledQuery.raw(HOLDERS, parameters));
  if (rows.length === 0) return users.map(() => ({ kind: 'free' }));
  const held = new Map(rows.map((row) => [`${row.kind}:${row.value}`, row]));
  return users.map((user) => verdict(user, runId, held));
}

function verdict(user: ValidUser, runId: string, held: ReadonlyMap<string, Holder>): Verdict {
  const byEmail = held.get(`email:${user.emailNormalized}`);
  const byAccount = user.account === null ? undefined : held.get(`account:${user.account}`);
  const byId = held.get(`user:${user.id}`);
  const byNumber = user.number === null ? undefined : held.get(`number:${user.number}`);
  // The very line, imported before: by an earlier run it is skipped, twice in this run it is an error.
  const same = [byEmail, byAccount, byId, byNumber].find((holder) => holder !== undefined && holder.fingerprint === user.fingerprint);
  if (same !== undefined)
    return same.run === runId ? { kind: 'fail', field: 'line', error: `line repeats line ${same.line}` } : { kind: 'skip' };
  const who = (holder: Holder): string => (holder.run === runId ? `line ${holder.line}` : 'a user already in the project');
  if (byEmail !== undefined) return { kind: 'fail', field: 'email', error: `email is already used by ${who(byEmail)}` };
  if (byAccount !== undefined) return { kind: 'fail', field: 'account', error: `account is already used by ${who(byAccount)}` };
  if (byId !== undefined) return { kind: 'fail', field: 'ids.user', error: 'ids.user is already the id of another user' };
  if (byNumber !== undefined)
    return {
      kind: 'fail',
      field: 'ids.number',
      error: 'ids.number is already the number of another user (numbers are unique on the server)',
    };
  if (held.has(`profile:${user.profileId}`))
    return { kind: 'fail', field: 'ids.profile', error: 'ids.profile is already the id of another profile' };
  if (held.has(`membership:${user.membershipId}`))
    return { kind: 'fail', field: 'ids.membership', error: 'ids.membership is already the id of another membership' };
  const key = user.apiKeys.findIndex((apiKey) => held.has(`key:${apiKey.sha256}`));
  if (key !== -1) return { kind: 'fail', field: `apiKeys[${key}].sha256`, error: `apiKeys[${key}].sha256 is already another key's digest` };
  return { kind: 'free' };
}
