package dev.cronhook.executor.runtime;

import java.time.Instant;

/** Receives a run's log lines in the order the script wrote them on each stream; called from one thread at a time. */
@FunctionalInterface
public interface LogSink {
    void line(Instant time, LogStream stream, String line);

    LogSink DISCARD = (time, stream, line) -> {};
}
