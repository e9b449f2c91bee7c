import { CompiledQuery, sql } from 'kysely';
import type { Db } from '../../db/connection.ts';
import type { ValidUser } from './canonical.ts';
import type { CanonicalApiKey, FailedLine } from './types.ts';

/** What became of each line of a batch. */
export interface BatchResult {
  /** Lines inserted by this batch. */
  readonly lines: ReadonlySet<number>;
  readonly imported: number;
  readonly skipped: number;
  readonly failed: FailedLine[];
}

/** Per batch: the users and their profiles, API keys and TOTP factors, inserted by one statement. */
const INSERT_USERS = `
WITH project AS (SELECT id FROM projects WHERE id = $2 FOR KEY SHARE),
r AS (
  SELECT r.* FROM project, jsonb_to_recordset($1::jsonb) AS r(
    line int, id uuid, number bigint, email text, email_normalized text, account text, password_hash text,
    first_name text, last_name text, company text, timezone text, role text, plan text, credits numeric,
    email_verified boolean, is_active boolean, created_at timestamptz, last_login_at timestamptz,
    profile_id uuid, membership_id uuid, resource_type text, fingerprint text, totp text, keys jsonb)
),
free AS (
  SELECT * FROM r
  WHERE NOT EXISTS (SELECT 1 FROM profiles p WHERE p.id = r.profile_id OR p.membership_id = r.membership_id)
    AND (r.keys IS NULL OR NOT EXISTS (
      SELECT 1 FROM jsonb_array_elements(r.keys) e JOIN api_keys k ON k.key_hash = decode(e->>'sha256', 'hex')))
),
u AS (
  INSERT INTO users (id, number, project_id, email, email_normalized, account, password_hash, first_name, last_name,
    company, timezone, role, is_active, is_superuser, email_verified, plan, credits, last_login_at, created_at, updated_at,
    import_fingerprint, import_run, import_line)
  OVERRIDING SYSTEM VALUE
  SELECT id, COALESCE(number, CASE WHEN $4 THEN -line ELSE nextval($5::regclass) END), $2, email, email_normalized, account,
    password_hash, first_name, last_name, company, timezone, role, is_active, role = 'admin', email_verified, plan, credits,
    last_login_at, COALESCE(created_at, now()), COALESCE(created_at, now()), decode(fingerprint, 'hex'), $3, line
  FROM free
  ON CONFLICT DO NOTHING
  RETURNING id
),
ok AS (SELECT free.* FROM free JOIN u USING (id)),
p AS (
  INSERT INTO profiles (id, membership_id, user_id, project_id, resource_type, given_name, family_name, created_at, updated_at)
  SELECT profile_id, membership_id, id, $2, resource_type, first_name, last_name, COALESCE(created_at, now()), COALESCE(created_at, now())
  FROM ok
),
k AS (
  INSERT INTO api_keys (user_id, project_id, name, prefix, last_four, key_hash, is_primary, permissions, expires_at, created_at)
  SELECT ok.id, $2, e.name, e.prefix, e.last_four, decode(e.sha256, 'hex'), e.is_primary, e.permissions, e.expires_at, COALESCE(e.created_at, now())
  FROM ok CROSS JOIN LATERAL jsonb_to_recordset(ok.keys) AS e(
    name text, sha256 text, prefix text, last_four text, is_primary boolean, permissions jsonb, expires_at timestamptz, created_at timestamptz)
),
f AS (
  INSERT INTO mfa_factors (user_id, secret_encrypted, confirmed_at)
  SELECT id, totp, now() FROM ok WHERE totp IS NOT NULL
)
SELECT line FROM ok`;

/** For the lines a batch did not insert: who holds their email, account, ids or keys. */
const DIAGNOSE = `
WITH r AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(
    line int, id uuid, number bigint, email_normalized text, account text, profile_id uuid, membership_id uuid, fingerprint text, keys jsonb)
)
SELECT r.line,
  e.import_run = $3 AS email_run, e.import_line AS email_line, e.id IS NOT NULL AS email_taken,
  a.import_run = $3 AS account_run, a.import_line AS account_line, a.id IS NOT NULL AS account_taken,
  i.id IS NOT NULL AS id_taken, n.id IS NOT NULL AS number_taken,
  EXISTS (SELECT 1 FROM profiles p WHERE p.id = r.profile_id) AS profile_taken,
  EXISTS (SELECT 1 FROM profiles p WHERE p.membership_id = r.membership_id) AS membership_taken,
  (SELECT min(x.ordinality) - 1 FROM jsonb_array_elements(r.keys) WITH ORDINALITY AS x(key, ordinality)
     JOIN api_keys k ON k.key_hash = decode(x.key->>'sha256', 'hex')) AS key_taken,
  same.import_run = $3 AS same_run, same.import_line AS same_line, same.id IS NOT NULL AS same
FROM r
LEFT JOIN users e ON e.project_id = $2 AND e.email_normalized = r.email_normalized
LEFT JOIN users a ON r.account IS NOT NULL AND a.project_id = $2 AND a.account = r.account
LEFT JOIN users i ON i.id = r.id
LEFT JOIN users n ON r.number IS NOT NULL AND n.number = r.number
LEFT JOIN LATERAL (
  SELECT s.id, s.import_run, s.import_line FROM users s
  WHERE s.id IN (e.id, a.id, i.id, n.id) AND s.import_fingerprint = decode(r.fingerprint, 'hex') LIMIT 1
) same ON true`;

interface Diagnosis {
  line: number;
  email_taken: boolean;
  email_run: boolean | null;
  email_line: number | null;
  account_taken: boolean;
  account_run: boolean | null;
  account_line: number | null;
  id_taken: boolean;
  number_taken: boolean;
  profile_taken: boolean;
  membership_taken: boolean;
  key_taken: number | null;
  same: boolean;
  same_run: boolean | null;
  same_line: number | null;
}

/** Inserts a Laravel keys file's rows for users found by their imported number. */
const INSERT_KEYS = `
WITH r AS (
  SELECT r.*, u.id AS user_id FROM jsonb_to_recordset($1::jsonb) AS r(line int, user_number bigint, name text, sha256 text, is_primary boolean)
  LEFT JOIN users u ON u.project_id = $2 AND u.number = r.user_number
),
taken AS (SELECT r.line, k.user_id AS owner FROM r JOIN api_keys k ON k.key_hash = decode(r.sha256, 'hex')),
ins AS (
  INSERT INTO api_keys (user_id, project_id, name, prefix, last_four, key_hash, is_primary)
  SELECT r.user_id, $2, r.name, '', '', decode(r.sha256, 'hex'),
    r.is_primary AND NOT EXISTS (SELECT 1 FROM api_keys p WHERE p.user_id = r.user_id AND p.is_primary)
  FROM r WHERE r.user_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM taken WHERE taken.line = r.line)
  ON CONFLICT DO NOTHING
  RETURNING key_hash
)
SELECT r.line, r.user_id IS NOT NULL AS user_found, taken.owner = r.user_id AS own, taken.owner IS NOT NULL AS taken,
  EXISTS (SELECT 1 FROM ins WHERE ins.key_hash = decode(r.sha256, 'hex')) AS inserted
FROM r LEFT JOIN taken ON taken.line = r.line`;

/** Users with imported keys but none primary get their oldest key as primary, as Gatehouse keeps it. */
const PRIMARY_KEYS = `
UPDATE api_keys SET is_primary = true WHERE id IN (
  SELECT min(k.id) FROM api_keys k WHERE k.project_id = $1 AND k.revoked_at IS NULL
  GROUP BY k.user_id HAVING NOT bool_or(k.is_primary))`;

export interface WriterOptions {
  readonly projectId: string;
  readonly runId: string;
  readonly dryRun: boolean;
  /** Seal a TOTP secret for the user (AES-GCM, bound to the user id). */
  readonly sealTotp: (secret: string, userId: string) => string;
}

/**
 * Writes validated users in batches. Each batch is one statement with ON CONFLICT DO NOTHING,
 * so a taken email, account or id never aborts the batch; the lines it left out are then
 * explained by a second query (or recognized as this import's own, already there: skipped).
 */
export class ImportWriter {
  private sequence: string | undefined;

  constructor(private readonly options: WriterOptions) {}

  async writeUsers(db: Db, users: readonly ValidUser[]): Promise<BatchResult> {
    const sequence = (this.sequence ??= await numberSequence(db));
    const highest = users.reduce((max, user) => Math.max(max, user.number ?? 0), 0);
    if (highest > 0 && !this.options.dryRun) {
      // Before the insert: from here on, registrations get numbers above every imported one.
      await sql`SELECT setval(${sequence}::regclass, ${highest}) FROM ${sql.raw(sequence)}
        WHERE (CASE WHEN is_called THEN last_value ELSE last_value - 1 END) < ${highest}`.execute(db);
    }
    const rows = users.map((user) => this.row(user));
    const { projectId, runId, dryRun } = this.options;
    const result = await db.executeQuery<{ line: number }>(compiled(INSERT_USERS, [JSON.stringify(rows), projectId, runId, dryRun, sequence]));
    const done = new Set(result.rows.map((row) => row.line));
    const missing = users.filter((user) => !done.has(user.line));
    return { lines: done, imported: done.size, ...(missing.length === 0 ? { skipped: 0, failed: [] } : await this.diagnose(db, missing)) };
  }

  private async diagnose(db: Db, users: readonly ValidUser[]): Promise<{ skipped: number; failed: FailedLine[] }> {
    const rows = users.map((user) => ({
      line: user.line,
      id: user.id,
      number: user.number,
      email_normalized: user.emailNormalized,
      account: user.account,
      profile_id: user.profileId,
      membership_id: user.membershipId,
      fingerprint: user.fingerprint,
      keys: user.apiKeys.length === 0 ? null : user.apiKeys.map((key) => ({ sha256: key.sha256 })),
    }));
    const result = await db.executeQuery<Diagnosis>(compiled(DIAGNOSE, [JSON.stringify(rows), this.options.projectId, this.options.runId]));
    let skipped = 0;
    const failed: FailedLine[] = [];
    for (const row of result.rows) {
      const problem = explain(row);
      if (problem === undefined) skipped += 1;
      else failed.push({ line: row.line, ...problem });
    }
    return { skipped, failed: failed.sort((a, b) => a.line - b.line) };
  }

  /** Keys of a separate keys file; answers the failed lines and how many keys were added. */
  async writeKeys(db: Db, keys: ReadonlyArray<{ line: number; userNumber: number; key: CanonicalApiKey }>): Promise<{ imported: number; failed: FailedLine[] }> {
    const rows = keys.map(({ line, userNumber, key }) => ({ line, user_number: userNumber, name: key.name, sha256: key.sha256, is_primary: key.isPrimary === true }));
    const result = await db.executeQuery<{ line: number; user_found: boolean; own: boolean | null; taken: boolean; inserted: boolean }>(
      compiled(INSERT_KEYS, [JSON.stringify(rows), this.options.projectId]),
    );
    const failed: FailedLine[] = [];
    let imported = 0;
    const numbers = new Map(keys.map((item) => [item.line, item.userNumber]));
    for (const row of result.rows) {
      if (row.inserted) imported += 1;
      else if (!row.user_found) failed.push({ line: row.line, field: 'user_id', error: `user_id ${numbers.get(row.line)} is no user of this import`, file: 'api-keys' });
      else if (row.taken && row.own !== true) failed.push({ line: row.line, field: 'sha256', error: 'sha256 belongs to another user\'s key', file: 'api-keys' });
      else if (!row.taken) failed.push({ line: row.line, field: 'sha256', error: 'sha256 is listed twice in the file', file: 'api-keys' });
    }
    return { imported, failed: failed.sort((a, b) => a.line - b.line) };
  }

  /** Counts imported hashes still to be re-hashed per cost class (password-timing.ts pads sign-ins to them). */
  async recordHashClasses(db: Db, classes: ReadonlyMap<string, { count: number; sample: string }>): Promise<void> {
    if (classes.size === 0) return;
    const rows = [...classes].map(([cost, { count, sample }]) => ({ project_id: this.options.projectId, cost, sample_hash: sample, remaining: count }));
    await db
      .insertInto('password_hash_classes')
      .values(rows)
      .onConflict((oc) => oc.columns(['project_id', 'cost']).doUpdateSet((eb) => ({ remaining: sql`${eb.ref('password_hash_classes.remaining')} + excluded.remaining`, updated_at: new Date() })))
      .execute();
  }

  async finishKeys(db: Db): Promise<void> {
    await db.executeQuery(compiled(PRIMARY_KEYS, [this.options.projectId]));
  }

  private row(user: ValidUser): Record<string, unknown> {
    return {
      line: user.line,
      id: user.id,
      number: user.number,
      email: user.email,
      email_normalized: user.emailNormalized,
      account: user.account,
      password_hash: user.passwordHash,
      first_name: user.firstName,
      last_name: user.lastName,
      company: user.company,
      timezone: user.timezone,
      role: user.role,
      plan: user.plan,
      credits: user.credits,
      email_verified: user.emailVerified,
      is_active: user.isActive,
      created_at: user.createdAt,
      last_login_at: user.lastLoginAt,
      profile_id: user.profileId,
      membership_id: user.membershipId,
      resource_type: user.profileType,
      fingerprint: user.fingerprint,
      totp: user.totpSecret === null ? null : this.options.sealTotp(user.totpSecret, user.id),
      keys:
        user.apiKeys.length === 0
          ? null
          : user.apiKeys.map((key) => ({
              name: key.name,
              sha256: key.sha256,
              prefix: key.prefix,
              last_four: key.lastFour,
              is_primary: key.isPrimary,
              permissions: key.permissions,
              expires_at: key.expiresAt,
              created_at: key.createdAt,
            })),
    };
  }
}

/** Why a line was not inserted; undefined when it is this line, already imported by an earlier run. */
function explain(row: Diagnosis): { field: string; error: string } | undefined {
  if (row.same) {
    if (row.same_run !== true) return undefined;
    return { field: 'line', error: `line repeats line ${row.same_line}` };
  }
  const byLine = (run: boolean | null, line: number | null): string => (run === true ? `line ${line}` : 'a user already in the project');
  if (row.email_taken) return { field: 'email', error: `email is already used by ${byLine(row.email_run, row.email_line)}` };
  if (row.account_taken) return { field: 'account', error: `account is already used by ${byLine(row.account_run, row.account_line)}` };
  if (row.id_taken) return { field: 'ids.user', error: 'ids.user is already the id of another user' };
  if (row.number_taken) return { field: 'ids.number', error: 'ids.number is already the number of another user (numbers are unique on the server)' };
  if (row.profile_taken) return { field: 'ids.profile', error: 'ids.profile is already the id of another profile' };
  if (row.membership_taken) return { field: 'ids.membership', error: 'ids.membership is already the id of another membership' };
  if (row.key_taken !== null) return { field: `apiKeys[${row.key_taken}].sha256`, error: `apiKeys[${row.key_taken}].sha256 is already another key's digest` };
  return { field: 'line', error: 'conflicted with a change made at the same time; run the import again' };
}

/** A raw statement with $n parameters, run through Kysely (on PGlite: one prepared statement per text). */
function compiled(text: string, parameters: readonly unknown[]): CompiledQuery {
  return CompiledQuery.raw(text, [...parameters]);
}

async function numberSequence(db: Db): Promise<string> {
  const { rows } = await sql<{ seq: string }>`SELECT pg_get_serial_sequence('users', 'number') AS seq`.execute(db);
  const seq = rows[0]?.seq;
  if (seq === undefined) throw new Error('users.number has no sequence');
  return seq;
}
