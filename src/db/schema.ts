import type { ColumnType, Generated } from 'kysely';

/** Written by the database (`DEFAULT now()`), optional on insert. */
type CreatedAt = ColumnType<Date, Date | undefined, Date>;
type Json<T> = ColumnType<T, string | undefined, string>;

export interface ProjectsTable {
  id: string;
  name: string;
  is_default: Generated<boolean>;
  self_register_types: ColumnType<string[], string[] | undefined, string[]>;
  access_token_ttl_seconds: Generated<number>;
  refresh_token_ttl_seconds: Generated<number>;
  settings: Json<Record<string, unknown>>;
  /** 'tenant', or 'system' for the one project of Gatehouse's own operators. */
  kind: Generated<'tenant' | 'system'>;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface ClientsTable {
  id: string;
  project_id: string;
  name: string;
  allowed_origins: ColumnType<string[], string[] | undefined, string[]>;
  created_at: CreatedAt;
  updated_at: CreatedAt;
  /** OAuth registration (migration 012, core/oidc/clients.ts). */
  redirect_uris: ColumnType<string[], string[] | undefined, string[]>;
  post_logout_redirect_uris: ColumnType<string[], string[] | undefined, string[]>;
  client_type: Generated<string>;
  grant_types: ColumnType<string[], string[] | undefined, string[]>;
  scopes: ColumnType<string[], string[] | undefined, string[]>;
  first_party: Generated<boolean>;
  secret_hash: Uint8Array | null;
  secret_rotated_at: Date | null;
}

export interface UsersTable {
  id: string;
  number: ColumnType<number, never, never>;
  project_id: string;
  email: string;
  email_normalized: string;
  account: string | null;
  password_hash: string;
  first_name: Generated<string>;
  last_name: Generated<string>;
  company: string | null;
  timezone: Generated<string>;
  role: Generated<string>;
  is_active: Generated<boolean>;
  is_superuser: Generated<boolean>;
  email_verified: Generated<boolean>;
  bio: string | null;
  dob: string | null;
  phone: string | null;
  avatar_photo_id: string | null;
  plan: Generated<string>;
  credits: Generated<number>;
  plan_expires_at: Date | null;
  last_login_at: Date | null;
  deletion_scheduled_at: Date | null;
  deletion_wipe: Generated<boolean>;
  created_at: CreatedAt;
  updated_at: CreatedAt;
  /** Set for imported users (migration 009; written only by core/import). */
  import_fingerprint: ColumnType<Uint8Array | null, Uint8Array | null | undefined, Uint8Array | null>;
  import_run: ColumnType<string | null, string | null | undefined, string | null>;
  import_line: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface ProfilesTable {
  id: string;
  membership_id: string;
  user_id: string;
  project_id: string;
  resource_type: string;
  given_name: Generated<string>;
  family_name: Generated<string>;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface SessionsTable {
  id: string;
  project_id: string;
  user_id: string;
  client_id: string | null;
  kind: Generated<string>;
  auth_method: Generated<string>;
  remote_address: string | null;
  user_agent: string | null;
  remember: Generated<boolean>;
  secret_hash: Uint8Array | null;
  created_at: CreatedAt;
  last_used_at: CreatedAt;
  expires_at: Date;
  revoked_at: Date | null;
  revoked_reason: string | null;
  /** The browser (SSO) session an OAuth token session was started from (migration 012). */
  parent_id: string | null;
  /** OAuth scopes granted to a token session (migration 012). */
  scope: string | null;
}

export interface RefreshTokensTable {
  id: string;
  session_id: string;
  token_hash: Uint8Array;
  parent_id: string | null;
  created_at: CreatedAt;
  used_at: Date | null;
  expires_at: Date;
}

export interface SigningKeysTable {
  kid: string;
  alg: string;
  public_jwk: Json<Record<string, unknown>>;
  /** Plaintext, from before migration 007; moved into private_sealed at start. */
  private_jwk: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  /** The private JWK sealed by the SecretBox (context `signing-key:<kid>`). */
  private_sealed: string | null;
  created_at: CreatedAt;
  retired_at: Date | null;
  verify_until: Date | null;
}

/** Append-only, hash-chained security events (migration 004; written only by core/audit.ts). */
export interface AuditLogTable {
  id: number;
  created_at: Date;
  action: string;
  outcome: string;
  project_id: string | null;
  user_id: string | null;
  client_id: string | null;
  session_id: string | null;
  remote_address: string | null;
  user_agent: string | null;
  detail: Json<Record<string, unknown>>;
  prev_hash: string;
  hash: string;
}

/** Outgoing mail queue and development outbox (migration 005; written only by core/mail). */
export interface MailOutboxTable {
  id: string;
  project_id: string | null;
  kind: string;
  to_address: string;
  to_normalized: string;
  subject: string;
  text_body: string;
  html_body: string | null;
  status: string;
  attempts: Generated<number>;
  next_attempt_at: CreatedAt;
  last_error: string | null;
  created_at: CreatedAt;
  sent_at: Date | null;
  /** Order of writing: the tie-breaker of "newest first" (migration 007). */
  seq: Generated<number>;
}

/** Email verification and password reset secrets, stored as SHA-256 (migration 005). */
export interface EmailTokensTable {
  id: string;
  user_id: string;
  kind: string;
  token_hash: Uint8Array;
  email_normalized: string;
  created_at: CreatedAt;
  expires_at: Date;
  used_at: Date | null;
}

export interface MfaFactorsTable {
  user_id: string;
  secret_encrypted: string;
  confirmed_at: Date | null;
  last_time_step: ColumnType<number | null, number | null | undefined, number | null>;
  failed_attempts: Generated<number>;
  locked_until: Date | null;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface MfaRecoveryCodesTable {
  id: string;
  user_id: string;
  code_hash: Uint8Array;
  created_at: CreatedAt;
  used_at: Date | null;
}

export interface MfaChallengesTable {
  id: string;
  user_id: string;
  project_id: string;
  client_id: string | null;
  token_hash: Uint8Array;
  attempts: Generated<number>;
  created_at: CreatedAt;
  expires_at: Date;
  used_at: Date | null;
}

/** API keys, stored as SHA-256 (migration 002; written only by core/api-keys.ts). */
export interface ApiKeysTable {
  id: ColumnType<number, never, never>;
  user_id: string;
  project_id: string;
  name: string;
  prefix: string;
  last_four: string;
  key_hash: Uint8Array;
  is_primary: Generated<boolean>;
  is_active: Generated<boolean>;
  permissions: ColumnType<string[] | null, string | null | undefined, string | null>;
  last_used_at: Date | null;
  expires_at: Date | null;
  created_at: CreatedAt;
  revoked_at: Date | null;
}

/** Cost classes of imported password hashes not yet re-hashed (migration 009; core/password-timing.ts). */
export interface PasswordHashClassesTable {
  project_id: string;
  cost: string;
  sample_hash: string;
  remaining: ColumnType<number, number | undefined, number>;
  updated_at: CreatedAt;
}

export interface ServerSecretsTable {
  name: string;
  value: string;
  created_at: CreatedAt;
}

export interface MigrationsTable {
  name: string;
  applied_at: CreatedAt;
}

/**
 * Every table Gatehouse owns. Later migrations add their tables here too.
 */
export interface Database {
  projects: ProjectsTable;
  clients: ClientsTable;
  users: UsersTable;
  profiles: ProfilesTable;
  sessions: SessionsTable;
  refresh_tokens: RefreshTokensTable;
  signing_keys: SigningKeysTable;
  gatehouse_migrations: MigrationsTable;
  audit_log: AuditLogTable;
  mail_outbox: MailOutboxTable;
  email_tokens: EmailTokensTable;
  mfa_factors: MfaFactorsTable;
  mfa_recovery_codes: MfaRecoveryCodesTable;
  mfa_challenges: MfaChallengesTable;
  server_secrets: ServerSecretsTable;
  api_keys: ApiKeysTable;
  password_hash_classes: PasswordHashClassesTable;
  oauth_codes: OAuthCodesTable;
  oauth_consents: OAuthConsentsTable;
  oauth_interactions: OAuthInteractionsTable;
}

/** Authorization codes, stored as SHA-256 (migration 012; written only by core/oidc/codes.ts). */
export interface OAuthCodesTable {
  id: string;
  code_hash: Uint8Array;
  client_id: string;
  project_id: string;
  user_id: string;
  browser_session_id: string;
  redirect_uri: string;
  code_challenge: string | null;
  nonce: string | null;
  scope: string;
  auth_time: Date;
  amr: ColumnType<string[], string[], string[]>;
  created_at: CreatedAt;
  expires_at: Date;
  used_at: Date | null;
  issued_session_id: string | null;
}

/** Scopes a user granted a client (migration 012). */
export interface OAuthConsentsTable {
  user_id: string;
  client_id: string;
  scopes: ColumnType<string[], string[], string[]>;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

/** Authorization requests waiting for the user (migration 012; core/oidc/interactions.ts). */
export interface OAuthInteractionsTable {
  id: string;
  browser_hash: Uint8Array;
  client_id: string;
  params: Json<Record<string, unknown>>;
  browser_session_id: string | null;
  created_at: CreatedAt;
  expires_at: Date;
}
