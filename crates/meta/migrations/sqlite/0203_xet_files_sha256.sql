-- The sha256 of a Xet file's bytes, computed by the server from its xorbs (never taken from a
-- client). A repo's sha256 -> file mapping is served only when it equals this, so a shard that
-- claims another file's sha256 cannot substitute content. Files recorded before this column
-- existed have NULL until the server (or an upload of the same file) hashes them.
ALTER TABLE xet_files ADD COLUMN sha256 BLOB;
