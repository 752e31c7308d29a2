package dev.cronhook.api.schedule;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/** Told by the scheduler when a script's cron ticks were missed, started late or were skipped for an overlap. */
public interface TickProblems {
    TickProblems NONE = new TickProblems() {};

    default void missed(UUID scriptId, int ticks) {}

    /** A tick's run was launched {@code lateness} after the tick (for every tick fired; may be zero). */
    default void fired(UUID scriptId, Instant tick, Duration lateness) {}

    default void overlapSkipped(UUID scriptId, Instant tick) {}
}
