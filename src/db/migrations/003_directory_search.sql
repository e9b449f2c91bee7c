-- Prefix search over a project's user directory (account handle, email, display name).
-- text_pattern_ops lets `LIKE 'prefix%'` use the index whatever the database collation is.
CREATE INDEX users_directory_account ON users (project_id, account text_pattern_ops) WHERE account IS NOT NULL;
CREATE INDEX users_directory_email ON users (project_id, email_normalized text_pattern_ops);
CREATE INDEX users_directory_name ON users (project_id, lower(first_name || ' ' || last_name) text_pattern_ops);
