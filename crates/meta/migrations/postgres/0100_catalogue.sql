-- The catalogue's provider register: due-diligence fields of an account (organisation or user),
-- set by its admins through the API or the CLI. Keep in step with ../sqlite/0100_catalogue.sql.
CREATE TABLE provider_profiles (
    account_id        BIGINT NOT NULL PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    security_contact  TEXT,
    data_handling     TEXT,
    verified          BIGINT NOT NULL DEFAULT 0,
    updated_at        BIGINT NOT NULL
);
