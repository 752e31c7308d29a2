package dev.cronhook.core.run;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * The checks a webhook call passes before its run is accepted, shared by every api replica: its script's calls per
 * second, and its idempotency key. Thread-safe.
 */
public interface Admission {
    /** {@code calls} calls of a script in one wall-clock second (epoch seconds). */
    record Calls(UUID scriptId, long second, int calls) {}

    /**
     * Counts each entry's calls in its script's second and completes with the second's count with them, in the order
     * given (entries for one script and second add up); a window is kept a little longer than its second. Sends at
     * once and does not wait, so that a caller can do other work while the counts travel.
     */
    CompletableFuture<List<Long>> count(List<Calls> calls);

    /** What claiming an idempotency key found. */
    sealed interface Claim {
        /** This call holds the key now, as pending until its run is accepted ({@link #confirm}) or not. */
        record Claimed() implements Claim {}

        /** A call with the key was accepted: this is its run. */
        record Held(UUID runId) implements Claim {}

        /** Another call with the key is being accepted (or died doing so, until its pending claim runs out). */
        record Pending() implements Claim {}
    }

    /**
     * Claims {@code key} of the script for the call whose run would be {@code runId}, as pending for at most {@code
     * pendingFor}: a call whose run was not accepted leaves nothing behind that a retry would take for it.
     */
    Claim claim(UUID scriptId, String key, UUID runId, Duration pendingFor);

    /** The claiming call's run was accepted: the key names it for {@code window} (if the claim is still its). */
    void confirm(UUID scriptId, String key, UUID runId, Duration window);

    /** The claiming call's run was refused: the key is free again (if the claim is still its). */
    void release(UUID scriptId, String key, UUID runId);
}
