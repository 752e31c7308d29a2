package dev.cronhook.executor.worker;

import dev.cronhook.executor.runtime.LogSink;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * Where a run's log lines go live, as the script writes them, for followers to tail (the log store keeps them for
 * good). A writer serves one run, from one thread at a time.
 */
public interface LiveLogs {
    /** The live log of one run. */
    Writer open(UUID runId);

    /** Lines of one run; they are sent without waiting, {@link #flush} waits for them. */
    interface Writer extends LogSink {
        /** Completes when every line so far is stored (at once when there were none). */
        CompletableFuture<Void> flushAsync();

        /** Waits (bounded) until every line so far is stored. */
        void flush();
    }
}
