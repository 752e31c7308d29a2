package dev.cronhook.api.run;

import java.util.UUID;

/**
 * Told when a run has ended FAILED or TIMED_OUT, possibly more than once for one run; may schedule its next
 * attempt. Idempotent per run; an exception leaves the report unacknowledged, so it is told again.
 */
public interface RunRetries {
    RunRetries NONE = runId -> {};

    void afterFailure(UUID runId);
}
