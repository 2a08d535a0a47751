-- The audit trail: an append-only, hash-chained event log. Each event's `hash` covers the previous
-- event's hash and its own fields (see src/audit.rs), so editing, deleting or reordering an event
-- breaks the chain at that point. Appends take the next `seq` from the single `audit_head` row,
-- updated first in the appending transaction, so appends from several server processes are
-- serialised by the database and `seq` has no gaps. Retention deletes a prefix and records where
-- the remaining chain starts (`pruned_seq`, `pruned_hash`). Keep in step with
-- ../sqlite/0600_audit.sql.
CREATE TABLE audit_events (
    seq       BIGINT NOT NULL PRIMARY KEY,
    at        BIGINT NOT NULL,
    actor     TEXT,
    action    TEXT NOT NULL,
    repo      TEXT,
    detail    TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
CREATE INDEX audit_events_by_repo ON audit_events (repo, seq);
CREATE TABLE audit_head (
    id          BIGINT NOT NULL PRIMARY KEY CHECK (id = 1),
    seq         BIGINT NOT NULL,
    hash        TEXT NOT NULL,
    pruned_seq  BIGINT NOT NULL,
    pruned_hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash, pruned_seq, pruned_hash) VALUES
    (1, 0, '0000000000000000000000000000000000000000000000000000000000000000',
     0, '0000000000000000000000000000000000000000000000000000000000000000');
