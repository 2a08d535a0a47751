-- Xet storage: validated xorbs (their chunk index, instead of HF's footer), verified files
-- (terms over xorbs), and which repo uploaded which file, found by the sha256 of its content.
CREATE TABLE xet_xorbs (
    hash        BYTEA    PRIMARY KEY,
    size        BIGINT NOT NULL,
    chunk_index BYTEA    NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE xet_files (
    file_hash   BYTEA    PRIMARY KEY,
    size        BIGINT NOT NULL,
    terms       BYTEA    NOT NULL,
    created_at  BIGINT NOT NULL
);

-- The commit names a file by sha256; this maps it to the Xet file uploaded to this repo.
CREATE TABLE xet_grants (
    repo_id     BIGINT NOT NULL REFERENCES repos (id) ON DELETE CASCADE,
    sha         BYTEA    NOT NULL,
    file_hash   BYTEA    NOT NULL REFERENCES xet_files (file_hash),
    PRIMARY KEY (repo_id, sha)
);
