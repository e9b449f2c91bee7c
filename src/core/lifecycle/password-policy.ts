import { createHash } from 'node:crypto';
import { dictionary } from '@zxcvbn-ts/language-common';
import type { Logger } from 'pino';
import { ErrorCode, GatehouseError } from '../errors.ts';
import type { Project } from '../projects.ts';

/**
 * Per-project settings (`project.settings.passwordPolicy`), NIST SP 800-63B style: length
 * limits and a blocklist, no composition rules.
 */
export interface PasswordPolicySettings {
  readonly minLength: number;
  readonly maxLength: number;
  /** Which part of the bundled common-password list is refused: the 10,000 most common, all ~49,000, or none. */
  readonly commonPasswords: 'top10k' | 'all' | 'off';
  /** Pwned Passwords range lookup (k-anonymity); when the service fails, accept (open) or refuse (closed). */
  readonly breachCheck: 'off' | 'fail-open' | 'fail-closed';
}

export const DEFAULT_POLICY: PasswordPolicySettings = { minLength: 8, maxLength: 256, commonPasswords: 'top10k', breachCheck: 'off' };

const TOP = 10_000;
const BREACH_TIMEOUT_MS = 3000;

export function policyOf(project: Pick<Project, 'settings'>): PasswordPolicySettings {
  const raw = project.settings.passwordPolicy;
  const own = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const int = (value: unknown, fallback: number, min: number, max: number): number =>
    typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max ? value : fallback;
  const minLength = int(own.minLength, DEFAULT_POLICY.minLength, 1, 1024);
  return {
    minLength,
    maxLength: Math.max(minLength, int(own.maxLength, DEFAULT_POLICY.maxLength, 8, 4096)),
    commonPasswords: own.commonPasswords === 'all' || own.commonPasswords === 'off' ? own.commonPasswords : DEFAULT_POLICY.commonPasswords,
    breachCheck: own.breachCheck === 'fail-open' || own.breachCheck === 'fail-closed' ? own.breachCheck : DEFAULT_POLICY.breachCheck,
  };
}

export interface PasswordCheckContext {
  readonly email?: string | undefined;
  /** The request field the password came in (newPassword, new_password, ...), for the error. */
  readonly field?: string | undefined;
}

export class PasswordPolicy {
  private readonly rank = new Map<string, number>();

  constructor(
    private readonly breachedPasswordsUrl: string,
    private readonly logger: Logger,
  ) {
    dictionary['passwords-common'].forEach((word, index) => {
      if (!this.rank.has(word)) this.rank.set(word, index);
    });
  }

  /** Throws WeakPassword (with the field) when the password breaks the project's policy. */
  async check(project: Pick<Project, 'settings'>, password: string, context: PasswordCheckContext = {}): Promise<void> {
    const problem = await this.problem(policyOf(project), password, context.email);
    if (problem === undefined) return;
    throw new GatehouseError(ErrorCode.WeakPassword, problem, { fields: [{ field: context.field ?? 'password', message: problem }] });
  }

  private async problem(policy: PasswordPolicySettings, password: string, email: string | undefined): Promise<string | undefined> {
    const length = [...password].length;
    if (length < policy.minLength) return `Password must be at least ${policy.minLength} characters`;
    if (length > policy.maxLength) return `Password must be at most ${policy.maxLength} characters`;
    const lowered = password.toLowerCase();
    if (email !== undefined && (lowered === email.toLowerCase() || lowered === email.split('@')[0]?.toLowerCase())) {
      return 'Password must not be your email address';
    }
    if (policy.commonPasswords !== 'off') {
      const rank = this.rank.get(lowered);
      if (rank !== undefined && (policy.commonPasswords === 'all' || rank < TOP))
        return 'This password is too common; choose a less predictable one';
    }
    if (policy.breachCheck !== 'off') {
      const breached = await this.breached(password);
      if (breached === true) return 'This password has appeared in a data breach; choose another one';
      if (breached === undefined && policy.breachCheck === 'fail-closed')
        return 'The password could not be checked right now; try again later';
    }
    return undefined;
  }

  /** Pwned Passwords range API: only the first 5 hex characters of the SHA-1 leave the server. */
  private async breached(password: string): Promise<boolean | undefined> {
    const hash = createHash('sha1').update(password).digest('hex').toUpperCase();
    try {
      const response = await fetch(`${this.breachedPasswordsUrl}/range/${hash.slice(0, 5)}`, {
        headers: { 'add-padding': 'true', 'user-agent': 'gatehouse' },
        signal: AbortSignal.timeout(BREACH_TIMEOUT_MS),
      });
      if (!response.ok) throw new Error(`status ${response.status}`);
      const suffix = hash.slice(5);
      for (const line of (await response.text()).split('\n')) {
        const [candidate, count] = line.trim().split(':');
        // Padding entries carry a count of 0.
        if (candidate === suffix && Number(count) > 0) return true;
      }
      return false;
    } catch (error) {
      this.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'breached-password lookup failed');
      return undefined;
    }
  }
}
