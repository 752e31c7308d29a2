-- No query reads runs by status first (run lists go by owner or script, the overlap check uses
-- runs_active_by_script), yet every run's INSERT and its status UPDATEs wrote this index: one index write
-- fewer per run row change on the webhook path.
DROP INDEX IF EXISTS runs_by_status;
