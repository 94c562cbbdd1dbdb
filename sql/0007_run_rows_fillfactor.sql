-- 0007: every staged row is updated a few times while its tenant is decided
-- (resolution, then its outcome). Free space on each page lets those updates stay
-- heap-only (HOT: no new index entries), which is most of their cost.
ALTER TABLE run_rows SET (fillfactor = 60);
