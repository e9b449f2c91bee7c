-- Core model: projects own client applications and users; a user has one profile
-- (Medplum's ProjectMembership + Patient/Practitioner) and many sessions (Medplum's Login).

CREATE TABLE projects (
  id uuid PRIMARY KEY,
  name text NOT NULL,
  is_default boolean NOT NULL DEFAULT false,
  self_register_types text[] NOT NULL DEFAULT ARRAY['Patient'],
  access_token_ttl_seconds integer NOT NULL DEFAULT 3600,
  refresh_token_ttl_seconds integer NOT NULL DEFAULT 2592000,
  settings jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- At most one default project, even if two processes bootstrap an empty database at once.
CREATE UNIQUE INDEX projects_one_default ON projects (is_default) WHERE is_default;

CREATE TABLE clients (
  id uuid PRIMARY KEY,
  project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  name text NOT NULL,
  allowed_origins text[] NOT NULL DEFAULT ARRAY[]::text[],
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX clients_project ON clients (project_id);

CREATE TABLE users (
  id uuid PRIMARY KEY,
  -- A stable integer id for APIs whose users are numbered (PixelMover).
  number bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  email text NOT NULL,
  email_normalized text NOT NULL,
  -- An optional handle, unique per project (JinuAI's `account`).
  account text,
  password_hash text NOT NULL,
  first_name text NOT NULL DEFAULT '',
  last_name text NOT NULL DEFAULT '',
  company text,
  timezone text NOT NULL DEFAULT 'UTC',
  role text NOT NULL DEFAULT 'user',
  is_active boolean NOT NULL DEFAULT true,
  is_superuser boolean NOT NULL DEFAULT false,
  email_verified boolean NOT NULL DEFAULT false,
  bio text,
  dob date,
  phone text,
  avatar_photo_id uuid,
  plan text NOT NULL DEFAULT 'trial',
  credits numeric NOT NULL DEFAULT 0,
  plan_expires_at timestamptz,
  last_login_at timestamptz,
  deletion_scheduled_at timestamptz,
  -- At deletion: true erases the rows, false keeps an anonymized, disabled record.
  deletion_wipe boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_project_email ON users (project_id, email_normalized);
CREATE UNIQUE INDEX users_project_account ON users (project_id, account) WHERE account IS NOT NULL;
CREATE INDEX users_deletion_due ON users (deletion_scheduled_at) WHERE deletion_scheduled_at IS NOT NULL;

CREATE TABLE profiles (
  id uuid PRIMARY KEY,
  membership_id uuid NOT NULL UNIQUE,
  user_id uuid NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
  project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  resource_type text NOT NULL,
  given_name text NOT NULL DEFAULT '',
  family_name text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sessions (
  id uuid PRIMARY KEY,
  project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  client_id uuid REFERENCES clients (id) ON DELETE SET NULL,
  -- 'token' (bearer + refresh) or 'cookie' (browser session).
  kind text NOT NULL DEFAULT 'token',
  auth_method text NOT NULL DEFAULT 'password',
  remote_address text,
  user_agent text,
  remember boolean NOT NULL DEFAULT false,
  -- Only a SHA-256 of a cookie session's secret is kept.
  secret_hash bytea UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  revoked_reason text
);
CREATE INDEX sessions_user ON sessions (user_id) WHERE revoked_at IS NULL;
CREATE INDEX sessions_revoked ON sessions (revoked_at) WHERE revoked_at IS NOT NULL;

-- Each refresh token is a row so that a replayed (used) token can be told from an unknown one,
-- and a retry inside the grace window can be given a sibling instead of ending the session.
CREATE TABLE refresh_tokens (
  id uuid PRIMARY KEY,
  session_id uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  token_hash bytea NOT NULL UNIQUE,
  parent_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  used_at timestamptz,
  expires_at timestamptz NOT NULL
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

CREATE TABLE signing_keys (
  kid text PRIMARY KEY,
  alg text NOT NULL,
  public_jwk jsonb NOT NULL,
  private_jwk jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- Set when a newer key takes over signing; the key keeps verifying until verify_until.
  retired_at timestamptz,
  verify_until timestamptz
);
