-- Global dedup: the chunks a client may ask the CAS about (eligible ones only), with the xorbs
-- holding them, and which recorded files use which xorb, so an answer describes the xorbs of a
-- file that the asking repo may see.
CREATE TABLE xet_dedup_chunks (
    chunk_hash  BLOB    NOT NULL,
    xorb_hash   BLOB    NOT NULL REFERENCES xet_xorbs (hash),
    PRIMARY KEY (chunk_hash, xorb_hash)
);

CREATE TABLE xet_file_xorbs (
    xorb_hash   BLOB    NOT NULL REFERENCES xet_xorbs (hash),
    file_hash   BLOB    NOT NULL REFERENCES xet_files (file_hash),
    PRIMARY KEY (xorb_hash, file_hash)
);
