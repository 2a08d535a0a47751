-- The last change of who may see each repo (visibility, owner, existence), numbered like the
-- catalogue's card revs: each change takes the next `rev` from the single `repo_access_head`
-- row in its own transaction, so revs grow in commit order and a server that remembers the
-- largest rev it read learns every later change, whichever process made it, with one indexed
-- query per page. No foreign key: the row of a deleted repo says it is gone. Keep in step with
-- ../postgres/0420_repo_access_changes.sql.
CREATE TABLE repo_access_changes (
    repo_id INTEGER NOT NULL PRIMARY KEY,
    rev     INTEGER NOT NULL
);
CREATE INDEX repo_access_changes_by_rev ON repo_access_changes (rev);
CREATE TABLE repo_access_head (
    id       INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    last_rev INTEGER NOT NULL
);
INSERT INTO repo_access_head (id, last_rev) VALUES (1, 0);
