package dev.cronhook.core.queue.memory;

import dev.cronhook.core.queue.QueueOptions;
import dev.cronhook.core.queue.QueueSpec;
import dev.cronhook.core.queue.Queues;
import dev.cronhook.core.queue.WorkQueue;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Queues within one process: a queue opened twice by one spec is the same queue, as a Redis stream is. */
public final class InMemoryQueues implements Queues {
    private final Map<String, InMemoryWorkQueue.Store<?>> stores = new ConcurrentHashMap<>();

    @Override
    @SuppressWarnings("unchecked")
    public <T> WorkQueue<T> open(QueueSpec<T> spec, QueueOptions<T> options) {
        var store =
                (InMemoryWorkQueue.Store<T>) stores.computeIfAbsent(spec.name(), n -> new InMemoryWorkQueue.Store<T>());
        return new InMemoryWorkQueue<>(store, options);
    }
}
