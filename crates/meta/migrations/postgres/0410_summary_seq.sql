-- The commit-log position of the `main` update a repo's listing summary was computed from.
-- Summaries are written after the ref moves, so a slow writer could otherwise put an older
-- head back over a newer one; a write lands only when its position is newer. Keep in step with
-- ../sqlite/0410_summary_seq.sql.
ALTER TABLE repos ADD COLUMN summary_seq BIGINT NOT NULL DEFAULT 0;
