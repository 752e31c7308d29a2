package dev.cronhook.builder;

import dev.cronhook.builder.log.BuildLog;
import java.time.Duration;

/**
 * How often a step that failed transiently is tried again, with exponential backoff between attempts. After the
 * last attempt the transient failure becomes a {@link BuildFailedException} with its reason.
 */
public record RetryPolicy(int attempts, Duration firstDelay, Duration maxDelay) {

    public RetryPolicy {
        if (attempts < 1) throw new IllegalArgumentException("attempts must be at least 1");
        if (firstDelay.isNegative()) throw new IllegalArgumentException("firstDelay must not be negative");
        if (maxDelay.compareTo(firstDelay) < 0) maxDelay = firstDelay;
    }

    public static RetryPolicy defaults() {
        return new RetryPolicy(3, Duration.ofSeconds(1), Duration.ofSeconds(10));
    }

    /** One try of a step. */
    @FunctionalInterface
    public interface Attempt<T> {
        T run() throws TransientFailureException, BuildFailedException, InterruptedException;
    }

    public <T> T call(String what, BuildLog log, Attempt<T> attempt) throws BuildFailedException, InterruptedException {
        long delay = firstDelay.toMillis();
        for (int i = 1; ; i++) {
            try {
                return attempt.run();
            } catch (TransientFailureException e) {
                if (i >= attempts) {
                    throw new BuildFailedException(
                            what + " failed after " + attempts + " attempt" + (attempts == 1 ? "" : "s") + ": "
                                    + e.getMessage(),
                            e);
                }
                log.system(what + " failed (" + e.getMessage() + "); attempt " + (i + 1) + " of " + attempts + " in "
                        + delay + " ms");
                Thread.sleep(delay);
                delay = Math.min(delay * 2, maxDelay.toMillis());
            }
        }
    }
}
