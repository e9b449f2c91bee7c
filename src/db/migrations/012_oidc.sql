-- OpenID Connect provider (issue 15): OAuth registration of client applications, authorization
-- codes, consents, and the links between browser (SSO) sessions and the token sessions they start.

-- A client application is also an OAuth client. Existing clients get no redirect URI, so they
-- cannot run an authorization request until one is registered; the three contracts ignore these columns.
ALTER TABLE clients
  ADD COLUMN redirect_uris text[] NOT NULL DEFAULT ARRAY[]::text[],
  ADD COLUMN post_logout_redirect_uris text[] NOT NULL DEFAULT ARRAY[]::text[],
  -- 'public' (no secret: SPAs, mobile apps; PKCE required) or 'confidential' (a secret).
  ADD COLUMN client_type text NOT NULL DEFAULT 'public',
  ADD COLUMN grant_types text[] NOT NULL DEFAULT ARRAY['authorization_code', 'refresh_token'],
  ADD COLUMN scopes text[] NOT NULL DEFAULT ARRAY['openid', 'profile', 'email', 'offline_access'],
  -- First-party clients (the project's own apps) skip the consent page.
  ADD COLUMN first_party boolean NOT NULL DEFAULT false,
  -- Only a SHA-256 of a confidential client's secret is kept (the secret is 256 random bits).
  ADD COLUMN secret_hash bytea,
  ADD COLUMN secret_rotated_at timestamptz;

-- The session a token session was started from: a browser (SSO) session, so that logging out
-- of the browser session ends the online token sessions it started. `scope` is what was granted.
ALTER TABLE sessions
  ADD COLUMN parent_id uuid REFERENCES sessions (id) ON DELETE SET NULL,
  ADD COLUMN scope text;
CREATE INDEX sessions_parent ON sessions (parent_id) WHERE parent_id IS NOT NULL;

-- Authorization codes: 60 seconds, single use, only a SHA-256 kept. A second use finds used_at
-- set and revokes issued_session_id, the token session the first use started (RFC 6749 §4.1.2).
CREATE TABLE oauth_codes (
  id uuid PRIMARY KEY,
  code_hash bytea NOT NULL UNIQUE,
  client_id uuid NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
  project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  browser_session_id uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  redirect_uri text NOT NULL,
  code_challenge text,
  nonce text,
  scope text NOT NULL,
  auth_time timestamptz NOT NULL,
  amr text[] NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  issued_session_id uuid
);
CREATE INDEX oauth_codes_expiry ON oauth_codes (expires_at);

-- What a user allowed a client: the scopes granted so far (consent is asked again for new ones).
CREATE TABLE oauth_consents (
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  client_id uuid NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
  scopes text[] NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, client_id)
);

-- An authorization request waiting for the user (sign-in, second factor, consent): its validated
-- parameters, bound to the browser that made it by a cookie whose SHA-256 is browser_hash.
CREATE TABLE oauth_interactions (
  id uuid PRIMARY KEY,
  browser_hash bytea NOT NULL,
  client_id uuid NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
  params jsonb NOT NULL,
  -- Set once the user signed in during this interaction (prompt=login, max_age).
  browser_session_id uuid REFERENCES sessions (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX oauth_interactions_expiry ON oauth_interactions (expires_at);
