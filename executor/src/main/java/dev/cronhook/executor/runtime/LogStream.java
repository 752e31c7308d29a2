package dev.cronhook.executor.runtime;

import java.util.Locale;

/** The stream a log line was written to. */
public enum LogStream {
    STDOUT,
    STDERR;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
