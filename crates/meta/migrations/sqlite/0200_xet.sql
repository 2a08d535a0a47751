-- Xet storage: validated xorbs (their chunk index, instead of HF's footer), verified files
-- (terms over xorbs), and which repo uploaded which file, found by the sha256 of its content.
CREATE TABLE xet_xorbs (
    hash        BLOB    PRIMARY KEY,
    size        INTEGER NOT NULL,
    chunk_index BLOB    NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE xet_files (
    file_hash   BLOB    PRIMARY KEY,
    size        INTEGER NOT NULL,
    terms       BLOB    NOT NULL,
    created_at  INTEGER NOT NULL
);

-- The commit names a file by sha256; this maps it to the Xet file uploaded to this repo.
CREATE TABLE xet_grants (
    repo_id     INTEGER NOT NULL REFERENCES repos (id) ON DELETE CASCADE,
    sha         BLOB    NOT NULL,
    file_hash   BLOB    NOT NULL REFERENCES xet_files (file_hash),
    PRIMARY KEY (repo_id, sha)
);
