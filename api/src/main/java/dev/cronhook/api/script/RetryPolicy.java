package dev.cronhook.api.script;

import java.time.Duration;

/**
 * How a failed (or timed-out) cron or webhook run is tried again: up to {@code maxAttempts} attempts in all (1 means
 * no retry), the first retry {@code initialDelaySeconds} after the failure, each later one {@code factor} times the
 * delay before it.
 */
public record RetryPolicy(int maxAttempts, int initialDelaySeconds, double factor) {
    public static final RetryPolicy NONE = new RetryPolicy(1, 10, 2.0);
    private static final Duration MAX_DELAY = Duration.ofDays(1);

    /** The delay before attempt {@code attempt} (2 for the first retry). */
    public Duration delayBefore(int attempt) {
        double seconds = initialDelaySeconds * Math.pow(factor, Math.max(0, attempt - 2));
        return seconds >= MAX_DELAY.toSeconds() ? MAX_DELAY : Duration.ofMillis((long) (seconds * 1000));
    }
}
