package dev.cronhook.core.queue;

import java.time.Duration;
import java.util.function.BiConsumer;

/**
 * How a {@link WorkQueue} delivers: after {@code visibilityTimeout} without a heartbeat a message is given to
 * another consumer; after {@code maxDeliveries} deliveries it is dead-lettered and {@code onDeadLetter} is told
 * (with the message and the reason); {@code concurrency} bounds the messages one worker handles at once.
 */
public record QueueOptions<T>(
        Duration visibilityTimeout, int maxDeliveries, int concurrency, BiConsumer<T, String> onDeadLetter) {

    public QueueOptions {
        if (visibilityTimeout.isNegative() || visibilityTimeout.isZero()) {
            throw new IllegalArgumentException("visibilityTimeout must be positive");
        }
        if (maxDeliveries < 1) throw new IllegalArgumentException("maxDeliveries must be at least 1");
        if (concurrency < 1) throw new IllegalArgumentException("concurrency must be at least 1");
        if (onDeadLetter == null) onDeadLetter = (m, r) -> {};
    }

    public static <T> QueueOptions<T> defaults() {
        return new QueueOptions<>(Duration.ofSeconds(30), 5, 16, null);
    }

    public QueueOptions<T> withVisibilityTimeout(Duration timeout) {
        return new QueueOptions<>(timeout, maxDeliveries, concurrency, onDeadLetter);
    }

    public QueueOptions<T> withMaxDeliveries(int max) {
        return new QueueOptions<>(visibilityTimeout, max, concurrency, onDeadLetter);
    }

    public QueueOptions<T> withConcurrency(int n) {
        return new QueueOptions<>(visibilityTimeout, maxDeliveries, n, onDeadLetter);
    }

    public QueueOptions<T> withDeadLetterHandler(BiConsumer<T, String> handler) {
        return new QueueOptions<>(visibilityTimeout, maxDeliveries, concurrency, handler);
    }
}
