-- 0011: every tenant-owned table has account_id in its primary key, run_outcomes
-- included, so that all of them can be sharded by tenant (0013). Records of rows
-- that reached no tenant (an unknown or malformed account) used to have a NULL
-- account_id; they now carry the nil UUID, which is reserved (the tool treats an
-- account with that id as unknown), and the key is (run_id, account_id,
-- first_row): still led by run_id, which `runs show --report` and `runs prune`
-- look runs up by.
UPDATE run_outcomes SET account_id = '00000000-0000-0000-0000-000000000000' WHERE account_id IS NULL;
ALTER TABLE run_outcomes ALTER COLUMN account_id SET NOT NULL;
ALTER TABLE run_outcomes DROP CONSTRAINT run_outcomes_pkey;
ALTER TABLE run_outcomes ADD CONSTRAINT run_outcomes_pkey PRIMARY KEY (run_id, account_id, first_row);
