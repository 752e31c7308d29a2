package dev.cronhook.api.secret;

import java.time.Duration;
import java.util.UUID;

/**
 * One-run tokens: the executor running a run presents its run's token to get that run's secrets. Only a hash is
 * kept, expiring shortly after the run's deadline. Thread-safe.
 */
public interface RunTokens {
    /** A new token for the run (or try-out), valid for {@code validFor}. */
    String issue(UUID runId, Duration validFor);

    /** Whether {@code token} is the run's, and still valid (compared in constant time). */
    boolean verify(UUID runId, String token);
}
