-- "Newest first" lists of the outbox ordered by created_at then the random uuid: two emails
-- written in the same instant (PGlite's clock, or one transaction) came back in either order.
-- A sequence number records the order of writing and breaks the tie.
ALTER TABLE mail_outbox ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY;
DROP INDEX mail_outbox_to;
CREATE INDEX mail_outbox_to ON mail_outbox (to_normalized, created_at DESC, seq DESC);
DROP INDEX mail_outbox_created;
CREATE INDEX mail_outbox_created ON mail_outbox (created_at DESC, seq DESC);
