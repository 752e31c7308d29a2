package dev.cronhook.core.queue.memory;

import dev.cronhook.core.queue.QueueOptions;
import dev.cronhook.core.queue.WorkQueue;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A work queue within one process, delivering as the Redis one does: at least once, a message acknowledged when its
 * handler returns (or its stage completes), delivered again after the visibility timeout when it failed, and
 * dead-lettered (its options told) after {@code maxDeliveries}. Consumers of one {@link Store} share its messages.
 */
public final class InMemoryWorkQueue<T> implements WorkQueue<T> {
    /** The messages of one queue, shared by every handle on it. */
    static final class Store<T> {
        private final AtomicLong ids = new AtomicLong();
        private final List<Entry<T>> entries = new ArrayList<>();

        synchronized String add(T message) {
            String id = "0-" + ids.incrementAndGet();
            entries.add(new Entry<>(id, message));
            notifyAll();
            return id;
        }

        /** Up to {@code max} messages due now, marked in hand; waits up to {@code waitMillis} for one. */
        synchronized List<Entry<T>> take(int max, long waitMillis) throws InterruptedException {
            long until = System.currentTimeMillis() + waitMillis;
            while (true) {
                long now = System.currentTimeMillis();
                var due = new ArrayList<Entry<T>>();
                for (var e : entries) {
                    if (due.size() == max) break;
                    if (!e.inHand && e.availableAt <= now) due.add(e);
                }
                if (!due.isEmpty() || now >= until) {
                    for (var e : due) {
                        e.inHand = true;
                        e.deliveries++;
                    }
                    return due;
                }
                wait(Math.min(50, until - now));
            }
        }

        synchronized void acknowledge(Entry<T> entry) {
            entries.remove(entry);
        }

        synchronized void release(Entry<T> entry, long availableAt) {
            entry.inHand = false;
            entry.availableAt = availableAt;
        }

        synchronized int size() {
            return entries.size();
        }

        synchronized List<T> messages() {
            return entries.stream().map(e -> e.message).toList();
        }
    }

    static final class Entry<T> {
        final String id;
        final T message;
        int deliveries;
        long availableAt;
        boolean inHand;

        Entry(String id, T message) {
            this.id = id;
            this.message = message;
        }
    }

    private final Store<T> store;
    private final QueueOptions<T> options;

    InMemoryWorkQueue(Store<T> store, QueueOptions<T> options) {
        this.store = store;
        this.options = options;
    }

    /** Messages not yet acknowledged (waiting or in hand). */
    public int size() {
        return store.size();
    }

    /** The messages not yet acknowledged (waiting or in hand), in the order they were added. */
    public List<T> messages() {
        return store.messages();
    }

    @Override
    public String enqueue(T message) {
        return store.add(message);
    }

    @Override
    public Worker consume(String consumerName, MessageHandler<T> handler) {
        return consumeBatches(consumerName, deliveries -> {
            for (var d : deliveries) handler.handle(d);
        });
    }

    @Override
    public Worker consumeBatches(String consumerName, BatchHandler<T> handler) {
        return start(entries -> {
            try {
                handler.handle(entries.stream().map(this::delivery).toList());
                entries.forEach(store::acknowledge);
            } catch (Exception e) {
                entries.forEach(this::failed);
            }
        });
    }

    @Override
    public Worker consumeAsync(String consumerName, AsyncHandler<T> handler) {
        return start(entries -> {
            for (var entry : entries) {
                CompletionStage<Void> stage;
                try {
                    stage = handler.handle(delivery(entry));
                } catch (RuntimeException e) {
                    failed(entry);
                    continue;
                }
                stage.whenComplete((ok, e) -> {
                    if (e == null) store.acknowledge(entry);
                    else failed(entry);
                });
            }
        });
    }

    private Delivery<T> delivery(Entry<T> entry) {
        return new Delivery<>(entry.id, entry.message, entry.deliveries);
    }

    /** A delivery that was not finished: again after the visibility timeout, or dead-lettered. */
    private void failed(Entry<T> entry) {
        if (entry.deliveries >= options.maxDeliveries()) {
            store.acknowledge(entry);
            options.onDeadLetter()
                    .accept(
                            entry.message,
                            "delivered " + entry.deliveries + " times without being finished (its worker kept dying)");
        } else {
            store.release(
                    entry,
                    System.currentTimeMillis() + options.visibilityTimeout().toMillis());
        }
    }

    private Worker start(java.util.function.Consumer<List<Entry<T>>> handOver) {
        ExecutorService handlers = Executors.newVirtualThreadPerTaskExecutor();
        var loop = Thread.ofVirtual().start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    var entries = store.take(options.concurrency(), 100);
                    if (!entries.isEmpty()) handlers.submit(() -> handOver.accept(entries));
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        return () -> {
            loop.interrupt();
            // messages the loop took as it was told to stop are handed over before the handlers stop taking work
            try {
                loop.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            handlers.close();
        };
    }
}
