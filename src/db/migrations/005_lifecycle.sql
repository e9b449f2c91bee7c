-- Account lifecycle: outgoing mail (a durable queue), single-use email tokens (verification,
-- password reset), TOTP second factor with recovery codes and login challenges.

-- Every email goes through this table. With SMTP configured it is a queue that a worker drains
-- (status pending -> sending -> sent | failed); without SMTP the rows stay as the development
-- outbox (status 'outbox'). Rows survive restarts, so a queued message is never lost.
CREATE TABLE mail_outbox (
  id uuid PRIMARY KEY,
  project_id uuid REFERENCES projects (id) ON DELETE SET NULL,
  kind text NOT NULL,
  to_address text NOT NULL,
  to_normalized text NOT NULL,
  subject text NOT NULL,
  text_body text NOT NULL,
  html_body text,
  status text NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  -- For 'pending': when to try next; for 'sending': when the claim lapses (a crashed worker's
  -- message is picked up again after it).
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz
);
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at) WHERE status IN ('pending', 'sending');
CREATE INDEX mail_outbox_to ON mail_outbox (to_normalized, created_at DESC);
CREATE INDEX mail_outbox_created ON mail_outbox (created_at DESC);

-- Verification and reset secrets: only their SHA-256 is kept; used_at makes them single-use.
CREATE TABLE email_tokens (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  kind text NOT NULL,
  token_hash bytea NOT NULL UNIQUE,
  -- The address the token was sent to: a token outlives no change of email.
  email_normalized text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);
CREATE INDEX email_tokens_user ON email_tokens (user_id, kind, created_at DESC);

-- One TOTP factor per user. The shared secret cannot be hashed (the server must compute codes),
-- so it is stored encrypted (AES-256-GCM). confirmed_at NULL = enrollment started, not finished.
CREATE TABLE mfa_factors (
  user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  secret_encrypted text NOT NULL,
  confirmed_at timestamptz,
  -- The last accepted time step: a code is never accepted twice (replay within its window).
  last_time_step bigint,
  failed_attempts integer NOT NULL DEFAULT 0,
  locked_until timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE mfa_recovery_codes (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  code_hash bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  used_at timestamptz
);
CREATE INDEX mfa_recovery_codes_user ON mfa_recovery_codes (user_id);

-- The step between a correct password and the second factor: an opaque, short-lived token.
CREATE TABLE mfa_challenges (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  client_id uuid REFERENCES clients (id) ON DELETE SET NULL,
  token_hash bytea NOT NULL UNIQUE,
  attempts integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);
CREATE INDEX mfa_challenges_expiry ON mfa_challenges (expires_at);

-- Server-generated secrets (the MFA encryption key when GATEHOUSE_SECRET_KEY is not set).
CREATE TABLE server_secrets (
  name text PRIMARY KEY,
  value text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
