-- A tick the scheduler has moved a schedule past but not yet launched (nor counted missed or skipped): a scheduler
-- that dies in between leaves it here, and the due-set reconciliation counts it missed instead of losing it
-- without a trace (or only clears it, when its run was launched after all).
ALTER TABLE schedules ADD COLUMN pending_tick_at TIMESTAMPTZ;
CREATE INDEX schedules_by_pending_tick ON schedules (pending_tick_at) WHERE pending_tick_at IS NOT NULL;
