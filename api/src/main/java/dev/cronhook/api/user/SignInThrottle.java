package dev.cronhook.api.user;

import java.time.Duration;

/**
 * Counts sign-in attempts per key (an account, a client address) across every api replica and holds a key back
 * with a growing delay once it has failed too often. Thread-safe; {@link #attempt} is atomic per key, so parallel
 * guesses cannot slip past a delay together.
 */
public interface SignInThrottle {
    /**
     * Counts one attempt under {@code key} unless the key is held back: {@link Duration#ZERO} when the attempt may
     * go on (it counts as a failure until {@link #succeeded}), else how long the caller must wait.
     */
    Duration attempt(String key, int freeFailures);

    /** The attempt counted under {@code key} succeeded: it no longer counts as a failure. */
    void succeeded(String key, boolean forgetEarlierFailures);
}
