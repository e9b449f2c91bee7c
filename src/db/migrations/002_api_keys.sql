-- API keys: long-lived credentials a user creates for scripts and integrations (PixelMover's
-- /v1/api-keys, usable by any contract). Only a SHA-256 of the key is kept; `prefix` and
-- `last_four` are enough to show a masked form.

CREATE TABLE api_keys (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  name text NOT NULL,
  prefix text NOT NULL,
  last_four text NOT NULL,
  key_hash bytea NOT NULL UNIQUE,
  is_primary boolean NOT NULL DEFAULT false,
  is_active boolean NOT NULL DEFAULT true,
  -- null = every permission the user has; else a list of permission names.
  permissions jsonb,
  last_used_at timestamptz,
  expires_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);
CREATE INDEX api_keys_user ON api_keys (user_id, id) WHERE revoked_at IS NULL;
-- At most one primary key per user, whatever two concurrent "make primary" requests do.
CREATE UNIQUE INDEX api_keys_one_primary ON api_keys (user_id) WHERE is_primary;
