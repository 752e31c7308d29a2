-- Retries of failed cron and webhook runs, per script: max_attempts counts the first attempt (1 = no retry).
ALTER TABLE scripts ADD COLUMN retry_max_attempts INT NOT NULL DEFAULT 1;
ALTER TABLE scripts ADD COLUMN retry_initial_delay_seconds INT NOT NULL DEFAULT 10;
ALTER TABLE scripts ADD COLUMN retry_backoff_factor DOUBLE PRECISION NOT NULL DEFAULT 2;

-- The scheduler's overlap check: is a cron run of this script still queued or running?
CREATE INDEX runs_active_by_script ON runs (script_id, trigger) WHERE status IN ('QUEUED', 'RUNNING');
