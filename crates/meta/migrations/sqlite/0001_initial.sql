-- commonhold metadata schema, SQLite dialect. Keep in step with ../postgres/0001_initial.sql:
-- the same tables, columns and constraints; only the types and id generation differ.
-- Integers are INTEGER (64-bit), flags are 0/1 integers, binary ids are BLOBs.

-- Users and organisations share one namespace; name_key is the lower-cased name.
-- AUTOINCREMENT: ids are never reused, since they are the key everywhere.
CREATE TABLE accounts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT    NOT NULL,
    name_key    TEXT    NOT NULL UNIQUE,
    kind        TEXT    NOT NULL CHECK (kind IN ('user', 'org')),
    is_admin    INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL
);

CREATE TABLE org_members (
    org_id   INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    user_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    role     TEXT    NOT NULL CHECK (role IN ('admin', 'write', 'read')),
    PRIMARY KEY (org_id, user_id)
);
CREATE INDEX org_members_by_user ON org_members (user_id);

CREATE TABLE tokens (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id       INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    display_name  TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('read', 'write')),
    token_hash    BLOB    NOT NULL UNIQUE,
    created_at    INTEGER NOT NULL,
    revoked       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX tokens_by_user ON tokens (user_id);

-- name_key = lower("namespace/name"), ns_key = lower(namespace).
CREATE TABLE repos (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    repo_type      TEXT    NOT NULL CHECK (repo_type IN ('model', 'dataset')),
    namespace      TEXT    NOT NULL,
    name           TEXT    NOT NULL,
    name_key       TEXT    NOT NULL,
    ns_key         TEXT    NOT NULL,
    owner_id       INTEGER NOT NULL REFERENCES accounts (id),
    private        INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    downloads      INTEGER NOT NULL DEFAULT 0,
    likes          INTEGER NOT NULL DEFAULT 0,
    last_pr        INTEGER NOT NULL DEFAULT 0,
    sha            BLOB,
    last_modified  INTEGER NOT NULL,
    card_data      TEXT    NOT NULL DEFAULT '{}',
    tags           TEXT    NOT NULL DEFAULT '[]',
    pipeline_tag   TEXT,
    library_name   TEXT,
    gated          TEXT,
    openness       TEXT,
    UNIQUE (repo_type, name_key)
);
CREATE INDEX repos_by_ns ON repos (repo_type, ns_key);
CREATE INDEX repos_by_modified ON repos (repo_type, last_modified);
CREATE INDEX repos_by_downloads ON repos (repo_type, downloads);

-- Tags again, one row each, so that "has all these tags" is an indexed lookup.
CREATE TABLE repo_tags (
    repo_id  INTEGER NOT NULL REFERENCES repos (id) ON DELETE CASCADE,
    tag      TEXT    NOT NULL,
    PRIMARY KEY (repo_id, tag)
);
CREATE INDEX repo_tags_by_tag ON repo_tags (tag);

CREATE TABLE downloads_seen (
    repo_id  INTEGER NOT NULL REFERENCES repos (id) ON DELETE CASCADE,
    day      INTEGER NOT NULL,
    who      TEXT    NOT NULL,
    PRIMARY KEY (repo_id, day, who)
);

CREATE TABLE refs (
    repo_id  INTEGER NOT NULL REFERENCES repos (id) ON DELETE CASCADE,
    name     TEXT    NOT NULL,
    oid      BLOB    NOT NULL,
    PRIMARY KEY (repo_id, name)
);

-- The commit log outlives the repos it mentions, so repo_id has no foreign key.
-- seq is assigned from log_head inside the appending transaction (see src/log.rs).
CREATE TABLE commit_log (
    seq       INTEGER PRIMARY KEY,
    repo_id   INTEGER NOT NULL,
    ref_name  TEXT    NOT NULL,
    old_oid   BLOB,
    new_oid   BLOB,
    at        INTEGER NOT NULL
);

CREATE TABLE log_head (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    last_seq  INTEGER NOT NULL
);
INSERT INTO log_head (id, last_seq) VALUES (1, 0);

CREATE TABLE log_cursors (
    consumer  TEXT    PRIMARY KEY,
    seq       INTEGER NOT NULL
);

CREATE TABLE settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);

CREATE TABLE git_objects (
    oid   BLOB    PRIMARY KEY,
    kind  INTEGER NOT NULL,
    data  BLOB    NOT NULL
);

CREATE TABLE lfs_objects (
    sha         BLOB    PRIMARY KEY,
    size        INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
);

-- Which repo may serve which LFS object; the object itself may be shared.
CREATE TABLE lfs_grants (
    repo_id  INTEGER NOT NULL REFERENCES repos (id) ON DELETE CASCADE,
    sha      BLOB    NOT NULL,
    PRIMARY KEY (repo_id, sha)
);

CREATE TABLE assessments (
    repo_id     INTEGER NOT NULL REFERENCES repos (id) ON DELETE CASCADE,
    commit_oid  BLOB    NOT NULL,
    json        TEXT    NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (repo_id, commit_oid)
);
