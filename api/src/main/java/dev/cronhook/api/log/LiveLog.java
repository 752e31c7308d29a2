package dev.cronhook.api.log;

import dev.cronhook.core.log.LogLine;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import reactor.core.publisher.Flux;

/**
 * Reads the live log of a run or a build, as its writer appends it: lines, then an end entry with the final status.
 * Thread-safe; a log that does not exist (nothing printed, or expired) reads as empty.
 */
public interface LiveLog {
    /** A log entry: a line, or the end of the log with the final status. */
    record Entry(LogLine line, String end) {}

    /** Whose live log. */
    sealed interface Source {
        record Run(UUID runId) implements Source {}

        record Build(UUID scriptId, int version) implements Source {}

        static Source run(UUID runId) {
            return new Run(runId);
        }

        static Source build(UUID scriptId, int version) {
            return new Build(scriptId, version);
        }
    }

    /** Everything in the log now. */
    List<Entry> snapshot(Source source);

    /** What {@link #snapshot} gives, for several logs in one round (in the order given). */
    List<List<Entry>> snapshots(List<Source> sources);

    /**
     * Follows a log from its start until its end entry, or until {@code idleLimit} passes with nothing new and {@code
     * stillRunning} says the writer is gone. While the log is still empty (or missing: a run that prints nothing gets
     * none), {@code stillRunning} is asked after every empty read, about once a second.
     */
    Flux<Entry> follow(Source source, Duration idleLimit, BooleanSupplier stillRunning);

    /** The lines among entries. */
    static List<LogLine> lines(List<Entry> entries) {
        return entries.stream().filter(e -> e.line() != null).map(Entry::line).toList();
    }
}
