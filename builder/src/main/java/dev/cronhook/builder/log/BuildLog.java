package dev.cronhook.builder.log;

import dev.cronhook.core.build.BuildState;
import java.time.Clock;

/**
 * The log of one build: every line goes to a {@link BuildLogSink} as it happens and is kept (up to a cap) for the
 * final result. Thread-safe: npm's stdout and stderr are pumped by two threads at once.
 */
public final class BuildLog {
    /** Beyond this many characters the kept text is cut (the live sink still gets every line). */
    static final int MAX_KEPT_CHARS = 256 * 1024;

    public enum Source {
        STDOUT("stdout"),
        STDERR("stderr"),
        SYSTEM("system");

        private final String wireName;

        Source(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }
    }

    private final BuildLogSink sink;
    private final Clock clock;
    private final StringBuilder kept = new StringBuilder();
    private boolean truncated;

    public BuildLog(BuildLogSink sink, Clock clock) {
        this.sink = sink;
        this.clock = clock;
    }

    /** A log that keeps its lines but sends them nowhere live. */
    public static BuildLog detached() {
        return new BuildLog(BuildLogSink.NONE, Clock.systemUTC());
    }

    public void system(String line) {
        line(Source.SYSTEM, line);
    }

    public void line(Source source, String line) {
        long t = clock.millis();
        synchronized (this) {
            if (kept.length() + line.length() < MAX_KEPT_CHARS) {
                if (source != Source.SYSTEM)
                    kept.append('[').append(source.wireName()).append("] ");
                kept.append(line).append('\n');
            } else if (!truncated) {
                truncated = true;
                kept.append("[system] (log truncated; the live build log has every line)\n");
            }
        }
        sink.line(t, source, line);
    }

    /** Marks the end of the log with the build's outcome. */
    public void end(BuildState outcome) {
        sink.end(clock.millis(), outcome);
    }

    public synchronized String text() {
        return kept.toString();
    }
}
