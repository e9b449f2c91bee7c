import { CompiledQuery, sql } from 'kysely';
import type { Db } from '../../db/connection.ts';
import type { ValidUser } from './canonical.ts';
import { judge } from './conflicts.ts';
import type { CanonicalApiKey, FailedLine } from './types.ts';

/** What became of each line of a batch. */
export interface BatchResult {
  /** Lines inserted by this batch. */
  readonly lines: ReadonlySet<number>;
  readonly imported: number;
  readonly skipped: number;
  readonly failed: FailedLine[];
}

/**
 * Per batch, the users judged free (conflicts.ts) with their profiles, API keys and TOTP factors,
 * in one statement without joins. A value taken meanwhile by a concurrent writer fails the whole
 * statement (unique violation) and the batch is judged and written again.
 */
const INSERT_USERS = `
WITH project AS (SELECT id FROM projects WHERE id = $2 FOR KEY SHARE),
r AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(
    line int, id uuid, number bigint, email text, email_normalized text, account text, password_hash text,
    first_name text, last_name text, company text, timezone text, role text, plan text, credits numeric,
    email_verified boolean, is_active boolean, created_at timestamptz, last_login_at timestamptz,
    profile_id uuid, membership_id uuid, resource_type text, fingerprint text, totp text, keys jsonb)
),
u AS (
  INSERT INTO users (id, number, project_id, email, email_normalized, account, password_hash, first_name, last_name,
    company, timezone, role, is_active, is_superuser, email_verified, plan, credits, last_login_at, created_at, updated_at,
    import_fingerprint, import_run, import_line)
  OVERRIDING SYSTEM VALUE
  -- A dry run numbers its users -line (rolled back, never seen) so the sequence does not move.
  SELECT id, COALESCE(number, CASE WHEN $4 THEN -line ELSE nextval($5::regclass) END), (SELECT id FROM project), email, email_normalized,
    account, password_hash, first_name, last_name, company, timezone, role, is_active, role = 'admin', email_verified, plan,
    credits, last_login_at, COALESCE(created_at, now()), COALESCE(created_at, now()), decode(fingerprint, 'hex'), $3, line
  FROM r
),
p AS (
  INSERT INTO profiles (id, membership_id, user_id, project_id, resource_type, given_name, family_name, created_at, updated_at)
  SELECT profile_id, membership_id, id, $2, resource_type, first_name, last_name, COALESCE(created_at, now()), COALESCE(created_at, now())
  FROM r
),
k AS (
  INSERT INTO api_keys (user_id, project_id, name, prefix, last_four, key_hash, is_primary, permissions, expires_at, created_at)
  SELECT r.id, $2, e.name, e.prefix, e.last_four, decode(e.sha256, 'hex'), e.is_primary, e.permissions, e.expires_at, COALESCE(e.created_at, now())
  FROM r CROSS JOIN LATERAL jsonb_to_recordset(r.keys) AS e(
    name text, sha256 text, prefix text, last_four text, is_primary boolean, permissions jsonb, expires_at timestamptz, created_at timestamptz)
  WHERE r.keys IS NOT NULL
),
f AS (
  INSERT INTO mfa_factors (user_id, secret_encrypted, confirmed_at)
  SELECT id, totp, now() FROM r WHERE totp IS NOT NULL
)
SELECT count(*)::int AS n FROM r`;

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
 * Writes validated users in batches: one query finds which of them hold values already taken
 * (conflicts.ts: reported, or skipped when it is this very line imported before), one statement
 * inserts the rest.
 */
export class ImportWriter {
  private sequence: string | undefined;

  constructor(private readonly options: WriterOptions) {}

  async writeUsers(db: Db, users: readonly ValidUser[]): Promise<BatchResult> {
    const { projectId, runId, dryRun } = this.options;
    const verdicts = await judge(db, projectId, runId, users);
    const free: ValidUser[] = [];
    const failed: FailedLine[] = [];
    let skipped = 0;
    verdicts.forEach((verdict, index) => {
      const user = users[index] as ValidUser;
      if (verdict.kind === 'free') free.push(user);
      else if (verdict.kind === 'skip') skipped += 1;
      else failed.push({ line: user.line, field: verdict.field, error: verdict.error });
    });
    if (free.length > 0) {
      this.sequence ??= await numberSequence(db);
      const sequence = this.sequence;
      const highest = free.reduce((max, user) => Math.max(max, user.number ?? 0), 0);
      if (highest > 0 && !dryRun) {
        // Before the insert: from here on, registrations get numbers above every imported one.
        await sql`SELECT setval(${sequence}::regclass, ${highest}) FROM ${sql.raw(sequence)}
          WHERE (CASE WHEN is_called THEN last_value ELSE last_value - 1 END) < ${highest}`.execute(db);
      }
      await db.executeQuery(
        compiled(INSERT_USERS, [JSON.stringify(free.map((user) => this.row(user))), projectId, runId, dryRun, sequence]),
      );
    }
    return { lines: new Set(free.map((user) => user.line)), imported: free.length, skipped, failed };
  }

  /** Keys of a separate keys file; answers the failed lines and how many keys were added. */
  async writeKeys(
    db: Db,
    keys: ReadonlyArray<{ line: number; userNumber: number; key: CanonicalApiKey }>,
  ): Promise<{ imported: number; failed: FailedLine[] }> {
    const rows = keys.map(({ line, userNumber, key }) => ({
      line,
      user_number: userNumber,
      name: key.name,
      sha256: key.sha256,
      is_primary: key.isPrimary === true,
    }));
    const result = await db.executeQuery<{ line: number; user_found: boolean; own: boolean | null; taken: boolean; inserted: boolean }>(
      compiled(INSERT_KEYS, [JSON.stringify(rows), this.options.projectId]),
    );
    const failed: FailedLine[] = [];
    let imported = 0;
    const numbers = new Map(keys.map((item) => [item.line, item.userNumber]));
    for (const row of result.rows) {
      if (row.inserted) imported += 1;
      else if (!row.user_found)
        failed.push({
          line: row.line,
          field: 'user_id',
          error: `user_id ${numbers.get(row.line)} is no user of this import`,
          file: 'api-keys',
        });
      else if (row.taken && row.own !== true)
        failed.push({ line: row.line, field: 'sha256', error: "sha256 belongs to another user's key", file: 'api-keys' });
      else if (!row.taken) failed.push({ line: row.line, field: 'sha256', error: 'sha256 is listed twice in the file', file: 'api-keys' });
    }
    return { imported, failed: failed.sort((a, b) => a.line - b.line) };
  }

  /** Counts imported hashes still to be re-hashed per cost class (password-timing.ts pads sign-ins to them). */
  async recordHashClasses(db: Db, classes: ReadonlyMap<string, { count: number; sample: string }>): Promise<void> {
    if (classes.size === 0) return;
    const rows = [...classes].map(([cost, { count, sample }]) => ({
      project_id: this.options.projectId,
      cost,
      sample_hash: sample,
      remaining: count,
    }));
    await db
      .insertInto('password_hash_classes')
      .values(rows)
      .onConflict((oc) =>
        oc.columns(['project_id', 'cost']).doUpdateSet((eb) => ({
          remaining: sql`${eb.ref('password_hash_classes.remaining')} + excluded.remaining`,
          updated_at: new Date(),
        })),
      )
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
