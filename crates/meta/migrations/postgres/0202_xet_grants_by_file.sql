-- Dedup lookups go from a file to the repos granted it (and fsck from grants to files).
CREATE INDEX xet_grants_by_file ON xet_grants (file_hash);
