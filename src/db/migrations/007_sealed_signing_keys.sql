-- Private signing keys are kept encrypted under GATEHOUSE_SECRET_KEY (core/secret-box.ts), so a
-- copy of the database alone cannot mint tokens. The first start of this version moves each
-- plaintext private_jwk into private_sealed (core/keys.ts); private_jwk stays only for that.
ALTER TABLE signing_keys ADD COLUMN private_sealed text;
ALTER TABLE signing_keys ALTER COLUMN private_jwk DROP NOT NULL;
