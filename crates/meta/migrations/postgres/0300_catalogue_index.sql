-- The catalogue's embedded search index: what each repo contributes that is not already in its
-- `repos` row (the card text, read from the README at `sha`). Written by the hub's catalogue
-- follower on every commit and by `commonhold reindex`; servers load it at start and reload
-- the rows whose `rev` is newer than what they hold. Keep in step with
-- ../sqlite/0300_catalogue_index.sql.
CREATE TABLE catalogue_cards (
    repo_id    BIGINT NOT NULL PRIMARY KEY REFERENCES repos (id) ON DELETE CASCADE,
    sha        BYTEA,
    card_text  TEXT    NOT NULL,
    rev        BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX catalogue_cards_by_rev ON catalogue_cards (rev);
-- One row: the last `rev` handed out, so every write gets a larger one than any before it.
CREATE TABLE catalogue_head (
    id       BIGINT NOT NULL PRIMARY KEY CHECK (id = 1),
    last_rev BIGINT NOT NULL
);
INSERT INTO catalogue_head (id, last_rev) VALUES (1, 0);
