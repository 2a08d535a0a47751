-- Gated repositories. A repo's gating mode lives in the existing `repos.gated` column (NULL:
-- not gated, 'auto' or 'manual'), set only through the repo settings, never from a card;
-- `default_access_days` is how long an accepted request lasts (NULL: until revoked).
-- One access request per (repo, user): asking again, cancelling, accepting or rejecting change
-- that row. `fields` is the requester's answers as JSON text, `terms_sha256` the hash of the
-- gating terms they were shown, `decided_by` the account that accepted or rejected it (NULL
-- for an automatic acceptance). Keep in step with ../postgres/0700_gating.sql.
ALTER TABLE repos ADD COLUMN default_access_days INTEGER;
CREATE TABLE access_requests (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    repo_id      INTEGER NOT NULL REFERENCES repos (id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    status       TEXT    NOT NULL CHECK (status IN ('pending', 'accepted', 'rejected')),
    fields       TEXT    NOT NULL,
    terms_sha256 TEXT,
    reason       TEXT,
    decided_by   INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    created_at   INTEGER NOT NULL,
    decided_at   INTEGER,
    expires_at   INTEGER,
    UNIQUE (repo_id, user_id)
);
CREATE INDEX access_requests_by_status ON access_requests (repo_id, status, created_at);
