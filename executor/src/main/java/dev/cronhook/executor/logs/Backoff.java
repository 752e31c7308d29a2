package dev.cronhook.executor.logs;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/** Exponential backoff with jitter between retries of a call to a store that is busy or down. */
public record Backoff(Duration initial, Duration max) {

    public Backoff {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(max, "max");
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < initial <= max, got " + initial + " and " + max);
        }
    }

    /** How long to wait before retry number {@code retry} (1 for the first retry). */
    public Duration delayBefore(int retry) {
        long ceiling = initial.toNanos();
        for (int i = 1; i < retry && ceiling < max.toNanos(); i++) {
            ceiling *= 2;
        }
        ceiling = Math.min(ceiling, max.toNanos());
        // half fixed, half random ("equal jitter"): callers that failed together do not retry together,
        // and no retry comes immediately
        long half = ceiling / 2;
        return Duration.ofNanos(half + ThreadLocalRandom.current().nextLong(half + 1));
    }
}
