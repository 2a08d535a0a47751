-- Disputes of openness judgments, recorded by a repo's writers. A dispute is shown beside the
-- judgment it names (`target`: tier, osaid, mof, a finding id such as OW006, or a component such
-- as datasets) and never changes it. Kept with the commit it was made against.
CREATE TABLE assessment_disputes (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    repo_id     INTEGER NOT NULL REFERENCES repos (id) ON DELETE CASCADE,
    commit_oid  BLOB    NOT NULL,
    target      TEXT    NOT NULL,
    rule        TEXT,
    author      TEXT    NOT NULL,
    reason      TEXT    NOT NULL,
    evidence_url TEXT,
    created_at  INTEGER NOT NULL
);
CREATE INDEX assessment_disputes_by_repo ON assessment_disputes (repo_id, id);

-- Re-assessment runs after the definition or the knowledge file changed: queued, claimed by one
-- process (`claimed_at` is its heartbeat; a stale claim may be taken over), worked through repos
-- in id order from `cursor_repo_id`, then done.
CREATE TABLE reassess_runs (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    reason            TEXT    NOT NULL,
    definition        TEXT    NOT NULL,
    knowledge_version TEXT    NOT NULL,
    knowledge_sha256  TEXT    NOT NULL,
    status            TEXT    NOT NULL,
    cursor_repo_id    INTEGER NOT NULL DEFAULT 0,
    repos_done        INTEGER NOT NULL DEFAULT 0,
    repos_changed     INTEGER NOT NULL DEFAULT 0,
    claimed_at        INTEGER,
    created_at        INTEGER NOT NULL,
    finished_at       INTEGER
);

-- What a run found per repo: the tier (and findings) of the head of main before and after.
CREATE TABLE reassess_changes (
    run_id            INTEGER NOT NULL REFERENCES reassess_runs (id) ON DELETE CASCADE,
    repo_id           INTEGER NOT NULL,
    repo_type         TEXT    NOT NULL,
    repo_name         TEXT    NOT NULL,
    commit_oid        BLOB    NOT NULL,
    tier_before       TEXT,
    tier_after        TEXT    NOT NULL,
    definition_before TEXT,
    findings_added    TEXT    NOT NULL,
    findings_removed  TEXT    NOT NULL,
    changed           INTEGER NOT NULL,
    at                INTEGER NOT NULL,
    PRIMARY KEY (run_id, repo_id)
);
