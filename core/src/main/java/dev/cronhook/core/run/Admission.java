package dev.cronhook.core.run;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The checks a webhook call passes before its run is accepted, shared by every api replica: its script's calls per
 * second, and its idempotency key. Thread-safe.
 */
public interface Admission {
    /** {@code calls} calls of a script in one wall-clock second (epoch seconds). */
    record Calls(UUID scriptId, long second, int calls) {}

    /**
     * Counts each entry's calls in its script's second and returns the second's count with them, in the order given
     * (entries for one script and second add up); a window is kept a little longer than its second.
     */
    List<Long> count(List<Calls> calls);

    /**
     * Claims {@code key} of the script for {@code runId} for {@code window}: empty when this call claimed it, else the
     * run that holds it.
     */
    Optional<UUID> claim(UUID scriptId, String key, UUID runId, Duration window);
}
