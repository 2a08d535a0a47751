-- Discussions and pull requests, numbered from the repo's `last_pr` sequence (they share numbers,
-- as on the Hub). A pull request's commits live on `refs/pr/{num}`; `fork_oid` is the target
-- branch's head when it was opened, the base of a three-way merge.
CREATE TABLE discussions (
    repo_id       INTEGER NOT NULL REFERENCES repos (id) ON DELETE CASCADE,
    num           INTEGER NOT NULL,
    is_pr         INTEGER NOT NULL,
    title         TEXT    NOT NULL,
    status        TEXT    NOT NULL,
    author        TEXT    NOT NULL,
    target_ref    TEXT,
    fork_oid      BLOB,
    merge_oid     BLOB,
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (repo_id, num)
);

-- Comments, status and title changes, in order.
CREATE TABLE discussion_events (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    repo_id       INTEGER NOT NULL,
    num           INTEGER NOT NULL,
    kind          TEXT    NOT NULL,
    author        TEXT    NOT NULL,
    data          TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    FOREIGN KEY (repo_id, num) REFERENCES discussions (repo_id, num) ON DELETE CASCADE
);
CREATE INDEX discussion_events_by_discussion ON discussion_events (repo_id, num, id);
