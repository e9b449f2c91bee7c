import type { ProfileType } from '../projects.ts';

/** One user in the canonical import format (`--format gatehouse`, one JSON object a line); see docs/migrating.md. */
export interface CanonicalUser {
  readonly email: string;
  readonly passwordHash?: string;
  readonly emailVerified?: boolean;
  readonly name?: string;
  readonly surname?: string;
  readonly account?: string;
  readonly company?: string;
  readonly timezone?: string;
  readonly role?: string;
  readonly plan?: string;
  readonly credits?: number;
  readonly createdAt?: string;
  readonly lastLoginAt?: string;
  readonly disabled?: boolean;
  readonly ids?: {
    readonly user?: string;
    readonly number?: number;
    readonly profile?: string;
    readonly profileType?: ProfileType;
    /** Ovok/Medplum ProjectMembership id (an extension: /auth/me answers it). */
    readonly membership?: string;
  };
  readonly apiKeys?: ReadonlyArray<CanonicalApiKey>;
  /** RFC 4648 base32, as authenticator apps take it. */
  readonly totpSecret?: string;
}

export interface CanonicalApiKey {
  readonly name: string;
  /** Hex SHA-256 of the whole key. */
  readonly sha256: string;
  /** The start of the key as shown in masked form (e.g. `pm_live_a1a1`). */
  readonly prefix?: string;
  /** The key's last four characters, for the masked form (an extension, written by export). */
  readonly lastFour?: string;
  readonly isPrimary?: boolean;
  readonly createdAt?: string;
  readonly expiresAt?: string;
  readonly permissions?: readonly string[] | null;
}

/** A problem with one input line: the import goes on with the next. */
export interface FailedLine {
  readonly line: number;
  readonly field: string;
  readonly error: string;
  /** Set for lines of the --api-keys file. */
  readonly file?: 'api-keys';
}

/** What a format mapping yields for each user it reads: the canonical object (not yet validated), or why not. */
export type SourceItem = { readonly line: number; readonly value: unknown } | { readonly line: number; readonly failed: FailedLine };

/** A key row of a separate keys file (Laravel's --api-keys): the user is named by its imported number. */
export type KeyItem =
  | { readonly line: number; readonly userNumber: number; readonly key: CanonicalApiKey }
  | { readonly line: number; readonly failed: FailedLine };

export interface ImportReport {
  imported: number;
  skipped: number;
  failed: FailedLine[];
  /** Failed lines in all; `failed` lists the first MAX_FAILED_LISTED of them. */
  failedCount: number;
  /** API keys imported from a separate keys file (--api-keys). */
  apiKeysImported?: number;
  dryRun: boolean;
  atomic: boolean;
  /** --atomic with failures, or --dry-run: nothing was written. */
  rolledBack: boolean;
  durationMs: number;
}

export type ImportFormat = 'gatehouse' | 'laravel' | 'fastapi' | 'medplum';
export const IMPORT_FORMATS: readonly ImportFormat[] = ['gatehouse', 'laravel', 'fastapi', 'medplum'];
