-- Every tick a scheduler has moved a schedule past but not yet launched (nor counted missed or skipped), one row per
-- tick. V14 kept one such tick per schedule (schedules.pending_tick_at), and with two scheduler replicas and a frequent
-- schedule the other replica moves the schedule past the next tick while the first is still launching its own: the
-- newer tick overwrote the older one, so a scheduler killed in that window still lost its tick without a trace (the
-- chaos test of issue 23 found one uncounted tick per schedule the killed scheduler had in hand).
CREATE TABLE pending_ticks (
    script_id UUID        NOT NULL REFERENCES scripts (id) ON DELETE CASCADE,
    tick_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (script_id, tick_at)
);
CREATE INDEX pending_ticks_by_tick ON pending_ticks (tick_at);

INSERT INTO pending_ticks (script_id, tick_at)
SELECT script_id, pending_tick_at FROM schedules WHERE pending_tick_at IS NOT NULL;
-- schedules.pending_tick_at is no longer written or read; it stays so that a replica of the version before, still
-- running during a rolling upgrade, does not fail on it.
