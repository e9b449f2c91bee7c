-- Operators of Gatehouse itself (the admin console) are users of one system project, which no
-- contract serves. Their role is users.role: 'admin' or 'support'.
ALTER TABLE projects ADD COLUMN kind text NOT NULL DEFAULT 'tenant' CHECK (kind IN ('tenant', 'system'));
CREATE UNIQUE INDEX projects_one_system ON projects (kind) WHERE kind = 'system';

-- Finding a user across projects (admin API, console): prefixes of email, account and name, and
-- exact numbers and ids (already indexed). text_pattern_ops lets `LIKE 'prefix%'` use the index.
CREATE INDEX users_search_email ON users (email_normalized text_pattern_ops, id);
CREATE INDEX users_search_account ON users (account text_pattern_ops) WHERE account IS NOT NULL;
CREATE INDEX users_search_name ON users (lower(first_name || ' ' || last_name) text_pattern_ops);

-- Who made an administrative change ("admin token", "cli", "operator:<id>"), for the audit filter.
CREATE INDEX audit_log_actor ON audit_log ((detail ->> 'actor'), id) WHERE detail ? 'actor';
