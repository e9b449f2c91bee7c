-- Audit log: append-only (the code never updates or deletes a row). Each row carries
-- hash = sha256(prev_hash || canonical row), chained in id order; ids are assigned under an
-- advisory lock by the writer, so they are contiguous and every instance extends one chain.
-- Ids and addresses are text: an event must never be lost to a type mismatch.
CREATE TABLE audit_log (
  id bigint PRIMARY KEY,
  created_at timestamptz NOT NULL,
  action text NOT NULL,
  outcome text NOT NULL,
  project_id text,
  user_id text,
  client_id text,
  session_id text,
  remote_address text,
  user_agent text,
  detail jsonb NOT NULL DEFAULT '{}'::jsonb,
  prev_hash text NOT NULL,
  hash text NOT NULL
);
CREATE INDEX audit_log_user ON audit_log (user_id, id);
CREATE INDEX audit_log_action ON audit_log (action, id);
CREATE INDEX audit_log_project ON audit_log (project_id, id);
CREATE INDEX audit_log_created ON audit_log (created_at);
