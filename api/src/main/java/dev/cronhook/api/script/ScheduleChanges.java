package dev.cronhook.api.script;

import java.time.Instant;
import java.util.UUID;

/**
 * Told after a script's schedule was committed: its next fire time, or null when it has no schedule any more (or
 * the script was deleted). Best effort and idempotent; the scheduler's reconciliation repairs a lost call.
 */
public interface ScheduleChanges {
    void changed(UUID scriptId, Instant nextFireAt);
}
