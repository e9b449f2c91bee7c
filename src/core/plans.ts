import type { Config } from '../config.ts';

/** The plan fields of a new account (users.plan, credits, plan_expires_at). */
export interface PlanGrant {
  readonly plan: string;
  readonly credits: number;
  readonly planExpiresAt: Date | null;
}

const DAY_MS = 24 * 3600 * 1000;

/**
 * Plans and credits. Every new account starts on the trial plan: TRIAL_CREDITS credits for
 * TRIAL_DAYS days. Contracts that show no plan simply ignore it.
 */
export class Plans {
  constructor(private readonly config: Pick<Config, 'trialDays' | 'trialCredits'>) {}

  /** The trial granted at registration, counted from `now`. */
  trial(now = new Date()): PlanGrant {
    return { plan: 'trial', credits: this.config.trialCredits, planExpiresAt: new Date(now.getTime() + this.config.trialDays * DAY_MS) };
  }
}
