-- Per-script limit on runs at once (excess runs wait in the queue); NULL means no limit.
ALTER TABLE scripts ADD COLUMN max_concurrency INT;
