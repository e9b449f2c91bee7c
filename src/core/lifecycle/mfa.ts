import { randomInt, randomUUID } from 'node:crypto';
import { generateSecret, generateURI, verify } from 'otplib';
import QRCode from 'qrcode';
import { sql } from 'kysely';
import type { Db } from '../../db/connection.ts';
import { ErrorCode, GatehouseError } from '../errors.ts';
import type { SecurityEvents } from '../events.ts';
import type { PasswordHasher } from '../passwords.ts';
import type { Project } from '../projects.ts';
import { digest, newSecret } from '../secrets.ts';
import type { SessionContext } from '../sessions.ts';
import type { User, Users } from '../users.ts';
import { READ_CACHE_TTL_MS, TtlCache } from '../ttl-cache.ts';
import type { SecretBox } from '../secret-box.ts';

export const MFA_CHALLENGE_PREFIX = 'ghm_';
const CHALLENGE_TTL_MS = 5 * 60_000;
/** Codes tried against one login challenge before it is spent. */
const CHALLENGE_ATTEMPTS = 5;
/** Wrong codes in a row (across challenges) before the factor locks for a while. */
const FACTOR_ATTEMPTS = 10;
const FACTOR_LOCK_MS = 15 * 60_000;
const RECOVERY_CODES = 10;
const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

export type MfaStatus = { enrolled: true } | { enrolled: false; secret: string; uri: string; qrCode: string };

export interface ChallengeResult {
  readonly user: User;
  readonly projectId: string;
  readonly clientId: string | null;
  readonly method: 'totp' | 'recovery_code';
}

function invalidCode(): GatehouseError {
  return new GatehouseError(ErrorCode.InvalidMfaCode, 'Invalid MFA code', { fields: [{ field: 'token', message: 'Invalid MFA code' }] });
}

/** "ABCDE-fghjk", " 123 456 " → the canonical form that is hashed or verified. */
function normalizeCode(code: string): string {
  return code.replace(/[\s-]/g, '').toLowerCase();
}

/**
 * TOTP second factor (RFC 6238: SHA-1, 6 digits, 30 s, ±1 step of drift), one-time recovery
 * codes, and the login challenge between a correct password and the code.
 */
export class Mfa {
  private readonly recentEnrolled = new TtlCache<boolean>(READ_CACHE_TTL_MS);

  constructor(
    private readonly db: Db,
    private readonly users: Users,
    private readonly hasher: PasswordHasher,
    private readonly box: SecretBox,
    private readonly events: SecurityEvents,
  ) {}

  /** `enrolled` as read moments ago, for display on "me" endpoints (never for the login decision). */
  cachedEnrolled(userId: string): Promise<boolean> {
    return this.recentEnrolled.load(userId, () => this.enrolled(userId));
  }

  async enrolled(userId: string): Promise<boolean> {
    const row = await this.db.selectFrom('mfa_factors').select('confirmed_at').where('user_id', '=', userId).executeTakeFirst();
    return row?.confirmed_at !== undefined && row.confirmed_at !== null;
  }

  /**
   * Enrolled, or the pending enrollment: a secret (kept until confirmed, so asking again shows
   * the same QR code), its otpauth URI and the QR code as a PNG data URL.
   */
  async status(user: User, project: Project): Promise<MfaStatus> {
    const row = await this.db.selectFrom('mfa_factors').selectAll().where('user_id', '=', user.id).executeTakeFirst();
    if (row?.confirmed_at !== undefined && row.confirmed_at !== null) return { enrolled: true };
    let secret: string;
    if (row === undefined) {
      secret = generateSecret();
      await this.db
        .insertInto('mfa_factors')
        .values({ user_id: user.id, secret_encrypted: this.box.seal(secret, user.id) })
        .onConflict((oc) => oc.column('user_id').doNothing())
        .execute();
      // Two concurrent first calls: both show the one secret that was stored.
      const stored = await this.db
        .selectFrom('mfa_factors')
        .select('secret_encrypted')
        .where('user_id', '=', user.id)
        .executeTakeFirstOrThrow();
      secret = this.box.open(stored.secret_encrypted, user.id);
    } else {
      secret = this.box.open(row.secret_encrypted, user.id);
    }
    const uri = generateURI({ issuer: project.name, label: user.email, secret });
    return { enrolled: false, secret, uri, qrCode: await QRCode.toDataURL(uri) };
  }

  /** Confirms the pending enrollment with a current code; returns the recovery codes (shown once). */
  async confirm(user: User, code: string, context: SessionContext = {}): Promise<string[]> {
    const row = await this.db.selectFrom('mfa_factors').selectAll().where('user_id', '=', user.id).executeTakeFirst();
    if (row === undefined)
      throw new GatehouseError(ErrorCode.Validation, 'MFA enrollment was not started', {
        fields: [{ field: 'token', message: 'MFA enrollment was not started' }],
      });
    if (row.confirmed_at !== null) throw new GatehouseError(ErrorCode.Conflict, 'MFA is already enabled');
    if (!(await this.checkTotp(user.id, code))) {
      this.emit('mfa.enroll', 'failure', user, context);
      throw invalidCode();
    }
    await this.db
      .updateTable('mfa_factors')
      .set({ confirmed_at: new Date(), updated_at: new Date() })
      .where('user_id', '=', user.id)
      .execute();
    this.recentEnrolled.delete(user.id);
    const codes = await this.replaceRecoveryCodes(user.id);
    this.emit('mfa.enroll', 'success', user, context);
    return codes;
  }

  /** Turns MFA off; proof is a current code, a recovery code, or the password. */
  async disable(
    user: User,
    proof: { code?: string | undefined; password?: string | undefined },
    context: SessionContext = {},
  ): Promise<void> {
    if (!(await this.enrolled(user.id))) {
      // Drop an unfinished enrollment too; nothing else to do.
      await this.db.deleteFrom('mfa_factors').where('user_id', '=', user.id).execute();
      return;
    }
    let ok = false;
    if (proof.code !== undefined && proof.code !== '') ok = (await this.checkCode(user.id, proof.code)) !== undefined;
    else if (proof.password !== undefined) ok = await this.hasher.verify(user.password_hash, proof.password);
    if (!ok) {
      this.emit('mfa.disable', 'failure', user, context);
      throw proof.code === undefined || proof.code === ''
        ? new GatehouseError(ErrorCode.WrongPassword, 'Incorrect password')
        : invalidCode();
    }
    await this.reset(user.id);
    this.emit('mfa.disable', 'success', user, context);
  }

  /** Removes the second factor without proof (an operator resetting a user who lost it). */
  async reset(userId: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('mfa_recovery_codes').where('user_id', '=', userId).execute();
      await trx.deleteFrom('mfa_factors').where('user_id', '=', userId).execute();
      await trx.deleteFrom('mfa_challenges').where('user_id', '=', userId).execute();
    });
    this.recentEnrolled.delete(userId);
  }

  /** A fresh set of recovery codes (the old ones stop working); needs a current code. */
  async regenerateRecoveryCodes(user: User, code: string): Promise<string[]> {
    if (!(await this.enrolled(user.id))) throw new GatehouseError(ErrorCode.Validation, 'MFA is not enabled');
    if ((await this.checkCode(user.id, code, { recovery: false })) === undefined) throw invalidCode();
    return this.replaceRecoveryCodes(user.id);
  }

  /**
   * Called by every contract after a correct password: undefined when the user has no second
   * factor (go on and issue tokens), else an opaque challenge to answer with a code.
   */
  async challenge(user: User, clientId: string | null): Promise<string | undefined> {
    if (!(await this.enrolled(user.id))) return undefined;
    const token = newSecret(MFA_CHALLENGE_PREFIX);
    await this.db
      .insertInto('mfa_challenges')
      .values({
        id: randomUUID(),
        user_id: user.id,
        project_id: user.project_id,
        client_id: clientId,
        token_hash: digest(token),
        expires_at: new Date(Date.now() + CHALLENGE_TTL_MS),
      })
      .execute();
    // Expired challenges of anyone are swept on the way (cheap, indexed).
    await this.db
      .deleteFrom('mfa_challenges')
      .where('expires_at', '<', new Date(Date.now() - CHALLENGE_TTL_MS))
      .execute();
    return token;
  }

  /**
   * Answers a challenge with a TOTP or recovery code: the user to sign in, or InvalidMfaCode.
   * With `projectId`, a challenge of another project is refused before anything is counted or spent.
   */
  async complete(challenge: string, code: string, context: SessionContext = {}, projectId?: string): Promise<ChallengeResult> {
    if (!challenge.startsWith(MFA_CHALLENGE_PREFIX)) throw invalidCode();
    // Each try is counted before the code is checked, so parallel guesses share the budget.
    let attempt = this.db
      .updateTable('mfa_challenges')
      .set({ attempts: sql<number>`attempts + 1` })
      .where('token_hash', '=', digest(challenge));
    if (projectId !== undefined) attempt = attempt.where('project_id', '=', projectId);
    const row = await attempt
      .where('used_at', 'is', null)
      .where('expires_at', '>', new Date())
      .where('attempts', '<', CHALLENGE_ATTEMPTS)
      .returningAll()
      .executeTakeFirst();
    if (row === undefined) throw invalidCode();
    const user = await this.users.byId(row.user_id);
    const method = await this.checkCode(user.id, code);
    if (method === undefined) {
      this.emit('mfa.verify', 'failure', user, context);
      throw invalidCode();
    }
    const spent = await this.db
      .updateTable('mfa_challenges')
      .set({ used_at: new Date() })
      .where('id', '=', row.id)
      .where('used_at', 'is', null)
      .returning('id')
      .executeTakeFirst();
    if (spent === undefined) throw invalidCode();
    this.emit('mfa.verify', 'success', user, context, { method });
    if (!user.is_active) throw new GatehouseError(ErrorCode.InvalidCredentials, 'Invalid email or password');
    return { user, projectId: row.project_id, clientId: row.client_id, method };
  }

  private async replaceRecoveryCodes(userId: string): Promise<string[]> {
    const codes = Array.from({ length: RECOVERY_CODES }, () => {
      const chars = Array.from({ length: 10 }, () => RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)]).join('');
      return `${chars.slice(0, 5)}-${chars.slice(5)}`;
    });
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('mfa_recovery_codes').where('user_id', '=', userId).execute();
      await trx
        .insertInto('mfa_recovery_codes')
        .values(codes.map((code) => ({ id: randomUUID(), user_id: userId, code_hash: digest(normalizeCode(code)) })))
        .execute();
    });
    return codes;
  }

  /** A TOTP code (never the same time step twice) or, if allowed, an unused recovery code. */
  private async checkCode(
    userId: string,
    code: string,
    options: { recovery?: boolean } = {},
  ): Promise<'totp' | 'recovery_code' | undefined> {
    const factor = await this.db.selectFrom('mfa_factors').selectAll().where('user_id', '=', userId).executeTakeFirst();
    if (factor === undefined) return undefined;
    if (factor.locked_until !== null && factor.locked_until > new Date()) {
      throw new GatehouseError(ErrorCode.AccountLocked, 'Too many wrong codes; try again later', {
        retryAfter: Math.ceil((factor.locked_until.getTime() - Date.now()) / 1000),
      });
    }
    const normalized = normalizeCode(code);
    let method: 'totp' | 'recovery_code' | undefined;
    if (/^\d{6}$/.test(normalized)) {
      if (await this.checkTotp(userId, normalized)) method = 'totp';
    } else if (options.recovery !== false && normalized.length === 10) {
      const used = await this.db
        .updateTable('mfa_recovery_codes')
        .set({ used_at: new Date() })
        .where('user_id', '=', userId)
        .where('code_hash', '=', digest(normalized))
        .where('used_at', 'is', null)
        .returning('id')
        .executeTakeFirst();
      if (used !== undefined) method = 'recovery_code';
    }
    if (method !== undefined) {
      await this.db.updateTable('mfa_factors').set({ failed_attempts: 0, locked_until: null }).where('user_id', '=', userId).execute();
      return method;
    }
    const failures = factor.failed_attempts + 1;
    const lock = failures >= FACTOR_ATTEMPTS;
    await this.db
      .updateTable('mfa_factors')
      .set({ failed_attempts: lock ? 0 : failures, locked_until: lock ? new Date(Date.now() + FACTOR_LOCK_MS) : null })
      .where('user_id', '=', userId)
      .execute();
    return undefined;
  }

  /** Verifies a 6-digit code and records its time step, atomically: a replay within the window fails. */
  private async checkTotp(userId: string, code: string): Promise<boolean> {
    const factor = await this.db.selectFrom('mfa_factors').selectAll().where('user_id', '=', userId).executeTakeFirst();
    if (factor === undefined || !/^\d{6}$/.test(normalizeCode(code))) return false;
    const secret = this.box.open(factor.secret_encrypted, userId);
    const result = await verify({
      secret,
      token: normalizeCode(code),
      epochTolerance: 30,
      ...(factor.last_time_step !== null && { afterTimeStep: Number(factor.last_time_step) }),
    });
    if (!result.valid || !('timeStep' in result)) return false;
    const recorded = await this.db
      .updateTable('mfa_factors')
      .set({ last_time_step: result.timeStep, updated_at: new Date() })
      .where('user_id', '=', userId)
      .where((eb) => eb.or([eb('last_time_step', 'is', null), eb('last_time_step', '<', result.timeStep)]))
      .returning('user_id')
      .executeTakeFirst();
    return recorded !== undefined;
  }

  private emit(
    action: string,
    outcome: 'success' | 'failure',
    user: User,
    context: SessionContext,
    detail?: Record<string, unknown>,
  ): void {
    this.events.emit({
      action,
      outcome,
      projectId: user.project_id,
      userId: user.id,
      remoteAddress: context.remoteAddress,
      userAgent: context.userAgent,
      ...(detail && { detail }),
    });
  }
}
