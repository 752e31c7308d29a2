package dev.cronhook.core.queue;

/** Opens the platform's queues on one backend. Thread-safe; a queue opened twice is the same queue. */
public interface Queues {
    /** The queue {@code spec} names, delivering as {@code options} say. */
    <T> WorkQueue<T> open(QueueSpec<T> spec, QueueOptions<T> options);

    /** The queue with the default options (for a producer). */
    default <T> WorkQueue<T> open(QueueSpec<T> spec) {
        return open(spec, QueueOptions.defaults());
    }
}
