package dev.cronhook.core.run;

import java.util.UUID;
import java.util.function.Consumer;

/**
 * A run's cancel signal, between the api that cancels and the executor that holds (or will get) the run. Thread-safe;
 * cancelling is idempotent, and a mark outlives any run it may concern.
 */
public interface RunSignals {
    /** Marks the run cancelled and tells every listening executor. */
    void cancel(UUID runId);

    /** Whether the run was cancelled. */
    boolean cancelled(UUID runId);

    /** Calls {@code listener} with every run cancelled from now on until the returned handle is closed. */
    AutoCloseable onCancel(Consumer<UUID> listener);
}
