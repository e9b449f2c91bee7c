-- Importing users from another product (src/core/import).

-- Where an imported user came from: the SHA-256 of its canonical import record, the import run
-- and the line. A re-run finds its own lines already there (skipped); another line claiming the
-- same email, account or id is a clear failure naming the line that holds it. NULL for users
-- who registered here.
ALTER TABLE users ADD COLUMN import_fingerprint bytea;
ALTER TABLE users ADD COLUMN import_run uuid;
ALTER TABLE users ADD COLUMN import_line integer;

-- The cost classes of imported password hashes that still wait for their users' first sign-in
-- (e.g. 'bcrypt$12'), one sample hash each. Sign-ins in the project are padded to the slowest
-- class still in use, so an imported user cannot be told from others by timing; `remaining`
-- falls as users sign in and get re-hashed with the server's argon2id parameters.
CREATE TABLE password_hash_classes (
  project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  cost text NOT NULL,
  sample_hash text NOT NULL,
  remaining bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (project_id, cost)
);
