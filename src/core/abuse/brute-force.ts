import { createHash } from 'node:crypto';
import { ErrorCode, GatehouseError } from '../errors.ts';
import type { SecurityEvents } from '../events.ts';
import { addressKey } from './client-address.ts';
import type { BruteForceConfig } from './config.ts';
import type { ExpiringState } from './state-store.ts';

/** Called by Auth.checkPassword around the password check (see Auth.loginGuard). */
export interface LoginGuard {
  /** Throws AccountLocked (with retryAfter) while this account may not log in from this address. */
  check(projectId: string, email: string, remoteAddress: string | undefined): Promise<void>;
  failed(projectId: string, email: string, remoteAddress: string | undefined, userId: string | undefined): Promise<void>;
  succeeded(projectId: string, email: string, remoteAddress: string | undefined): Promise<void>;
}

export const NO_LOGIN_GUARD: LoginGuard = {
  check: async () => undefined,
  failed: async () => undefined,
  succeeded: async () => undefined,
};

const KNOWN_ADDRESS_SECONDS = 90 * 86_400;

/**
 * Keycloak-style temporary lockout, keyed first on (account, client IP): after `maxFailures`
 * consecutive failures that pair waits, and each further failure doubles the wait up to
 * `maxWaitSeconds`. So an attacker guessing from one address locks out only that address;
 * the owner still logs in from theirs. A lock on the account itself needs many more failures
 * (`accountMaxFailures`, i.e. a distributed attack), lasts `accountLockSeconds`, and does not
 * apply to addresses the account has logged in from before: an attacker cannot lock the owner
 * out of a device they already use. Unknown emails are counted like known ones, so the lock
 * reveals nothing about which accounts exist. A success resets the counters.
 */
export class BruteForceGuard implements LoginGuard {
  constructor(
    private readonly config: BruteForceConfig,
    private readonly state: ExpiringState,
    private readonly events: SecurityEvents,
  ) {}

  async check(projectId: string, email: string, remoteAddress: string | undefined): Promise<void> {
    if (!this.config.enabled) return;
    const keys = this.keys(projectId, email, remoteAddress);
    const [pairMs = 0, accountMs = 0] = await this.state.remaining([keys.pairLock, keys.accountLock]);
    let waitMs = pairMs;
    if (accountMs > 0) {
      const [knownMs = 0] = await this.state.remaining([keys.known]);
      if (knownMs === 0) waitMs = Math.max(waitMs, accountMs);
    }
    if (waitMs > 0) {
      const retryAfter = Math.ceil(waitMs / 1000);
      throw new GatehouseError(ErrorCode.AccountLocked, `Too many failed login attempts; try again in ${retryAfter} seconds`, {
        retryAfter,
      });
    }
  }

  /**
   * Whether this account has logged in from this address before (any project: the key is the
   * email alone). Lets the rate limiter waive per-account budgets for the owner's own devices.
   */
  async isKnownAddress(email: string, remoteAddress: string | undefined): Promise<boolean> {
    if (!this.config.enabled) return false;
    const [knownMs = 0] = await this.state.remaining([knownKey(email, remoteAddress)]);
    return knownMs > 0;
  }

  async failed(projectId: string, email: string, remoteAddress: string | undefined, userId: string | undefined): Promise<void> {
    if (!this.config.enabled) return;
    const { maxFailures, waitSeconds, maxWaitSeconds, resetSeconds, accountMaxFailures, accountLockSeconds } = this.config;
    const keys = this.keys(projectId, email, remoteAddress);
    const [pairFailures, accountFailures] = await Promise.all([
      this.state.increment(keys.pairCount, resetSeconds),
      this.state.increment(keys.accountCount, resetSeconds),
    ]);
    if (pairFailures >= maxFailures) {
      // While locked the password is not even checked, so each failure here starts a new, longer wait.
      const wait = Math.min(maxWaitSeconds, waitSeconds * 2 ** Math.min(30, pairFailures - maxFailures));
      await this.state.set(keys.pairLock, wait);
      this.announce('address', projectId, email, userId, remoteAddress, wait, pairFailures);
    }
    if (accountFailures >= accountMaxFailures) {
      await this.state.set(keys.accountLock, accountLockSeconds);
      if (accountFailures === accountMaxFailures)
        this.announce('account', projectId, email, userId, remoteAddress, accountLockSeconds, accountFailures);
    }
  }

  async succeeded(projectId: string, email: string, remoteAddress: string | undefined): Promise<void> {
    if (!this.config.enabled) return;
    const keys = this.keys(projectId, email, remoteAddress);
    await Promise.all([
      this.state.delete([keys.pairCount, keys.pairLock, keys.accountCount, keys.accountLock]),
      this.state.set(keys.known, KNOWN_ADDRESS_SECONDS),
    ]);
  }

  /**
   * Lifts the locks on an account (an operator letting the owner back in): the account-wide lock
   * and count, and the per-address locks and counts of the addresses given (those the account
   * failed from recently, as the audit log knows them; pair keys are hashed, so they cannot be listed).
   */
  async unlock(projectId: string, email: string, addresses: readonly string[]): Promise<void> {
    const keys = [...new Set(addresses)].flatMap((address) => {
      const pair = this.keys(projectId, email, address);
      return [pair.pairCount, pair.pairLock];
    });
    const account = this.keys(projectId, email, undefined);
    await this.state.delete([account.accountCount, account.accountLock, ...keys]);
  }

  /** Whether logins to this account are held back right now from any of these addresses, or from anywhere. */
  async lockedFrom(projectId: string, email: string, addresses: readonly string[]): Promise<boolean> {
    if (!this.config.enabled) return false;
    const keys = [
      this.keys(projectId, email, undefined).accountLock,
      ...[...new Set(addresses)].map((address) => this.keys(projectId, email, address).pairLock),
    ];
    return (await this.state.remaining(keys)).some((ms) => ms > 0);
  }

  private announce(
    scope: 'address' | 'account',
    projectId: string,
    email: string,
    userId: string | undefined,
    remoteAddress: string | undefined,
    lockSeconds: number,
    failures: number,
  ): void {
    this.events.emit({
      action: 'account.locked',
      outcome: 'success',
      projectId,
      userId,
      remoteAddress,
      detail: { scope, lockSeconds, failures, ...(userId === undefined ? {} : { email: normalize(email) }) },
    });
  }

  /** Emails and addresses are hashed into the keys: Redis holds no personal data in clear. */
  private keys(projectId: string, email: string, remoteAddress: string | undefined) {
    const account = hash(`${projectId}\n${normalize(email)}`);
    const pair = hash(`${account}\n${addressKey(remoteAddress)}`);
    return {
      pairCount: `pf:${pair}`,
      pairLock: `pl:${pair}`,
      accountCount: `af:${account}`,
      accountLock: `al:${account}`,
      known: knownKey(email, remoteAddress),
    };
  }
}

function knownKey(email: string, remoteAddress: string | undefined): string {
  return `ka:${hash(`${normalize(email)}\n${addressKey(remoteAddress)}`)}`;
}

function normalize(email: string): string {
  return email.trim().toLowerCase();
}

function hash(value: string): string {
  return createHash('sha256').update(value).digest('base64url').slice(0, 32);
}
