package dev.cronhook.core.tryout;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * How one try-out's events travel from the worker running it to the api replica that holds its caller, and how
 * the api knows whether any try-out worker is up. Thread-safe. Events of one try-out are kept in the order they
 * are published, for an hour; a reader sees them from the first one, however late it starts reading.
 */
public interface TryOutChannel {

    /** Appends an event; when this returns it is stored. */
    void publish(UUID tryOutId, TryOutEvent event);

    /** Whether the try-out has ended already (finished, failed or given up by the api): then nobody runs it again. */
    boolean hasEnded(UUID tryOutId);

    /** Opens a reader of the try-out's events from the first; close it when done. */
    Reader read(UUID tryOutId);

    /** Says that the named worker is alive; a worker calls this every few seconds. */
    void heartbeat(String worker);

    /** Says that the named worker has stopped. */
    void leave(String worker);

    /** Whether some worker said it was alive within {@code within}. */
    boolean anyWorkerAlive(Duration within);

    /** Reads one try-out's events in order. Not thread-safe: one reader, one thread. */
    interface Reader extends AutoCloseable {
        /** The events after those returned so far, waiting at most {@code wait} for one; empty if none came. */
        List<TryOutEvent> next(Duration wait);

        @Override
        void close();
    }
}
