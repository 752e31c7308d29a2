-- Pause: a paused script's webhook answers 409 and its cron ticks are skipped; manual runs still work.
-- pause_after_failures (NULL: never) pauses it once consecutive_failures (final failures in a row, after
-- retries, reset by a success) reaches it. schedules.skipped_ticks counts ticks skipped while paused.
ALTER TABLE scripts ADD COLUMN paused BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE scripts ADD COLUMN paused_at TIMESTAMPTZ;
ALTER TABLE scripts ADD COLUMN paused_reason TEXT;
ALTER TABLE scripts ADD COLUMN pause_after_failures INT;
ALTER TABLE scripts ADD COLUMN consecutive_failures INT NOT NULL DEFAULT 0;
ALTER TABLE schedules ADD COLUMN skipped_ticks INT NOT NULL DEFAULT 0;
