-- 0005: what `runs show --report` needs to re-export a run's report exactly: the
-- tenants of the run as reported.
ALTER TABLE job_runs ADD COLUMN tenants jsonb;
