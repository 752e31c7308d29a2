package dev.cronhook.builder.log;

import java.util.UUID;

/** Where the live logs of builds go, one per script version, for followers to tail. Thread-safe. */
public interface BuildLogs {
    /**
     * The log of a version's build; with {@code fresh} whatever an earlier attempt wrote (a builder that died) is
     * dropped first, so readers start over.
     */
    BuildLogSink open(UUID scriptId, int version, boolean fresh);
}
