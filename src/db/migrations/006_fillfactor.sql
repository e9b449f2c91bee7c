-- Every sign-in updates its user (last_login_at) and every refresh its session and refresh token.
-- Leaving a tenth of each page free lets those updates stay on the page (HOT): no new entry in
-- each of the table's indexes (users has eight) and no page split per sign-in. Applies to pages
-- written from now on.
ALTER TABLE users SET (fillfactor = 90);
ALTER TABLE sessions SET (fillfactor = 90);
ALTER TABLE refresh_tokens SET (fillfactor = 90);
