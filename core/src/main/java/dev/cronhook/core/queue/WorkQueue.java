package dev.cronhook.core.queue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A durable, at-least-once queue of messages of one type, shared by every replica. Thread-safe. A message is
 * acknowledged only after its handler returns normally; a message whose consumer died is delivered again after
 * the visibility timeout, so handlers must be idempotent.
 */
public interface WorkQueue<T> {

    /** Appends a message; when this returns the message survives a crash of the caller. Returns its id. */
    String enqueue(T message);

    /**
     * Appends several messages at once (in one round trip where the adapter can). The i-th entry is the i-th
     * message's id, or empty when that message could not be appended; the others are appended all the same.
     */
    default List<Optional<String>> enqueueAll(List<T> messages) {
        var ids = new ArrayList<Optional<String>>(messages.size());
        for (T message : messages) {
            try {
                ids.add(Optional.of(enqueue(message)));
            } catch (RuntimeException e) {
                ids.add(Optional.empty());
            }
        }
        return ids;
    }

    /** Starts consuming under the given consumer name (unique per process); close the worker to stop. */
    Worker consume(String consumerName, MessageHandler<T> handler);

    /**
     * Starts consuming in batches: the handler gets what one read brings (at most the queue's concurrency), and
     * the batch is acknowledged when it returns. When a batch fails, its messages are handed over again one at a
     * time, so one bad message does not hold back the others (they must be idempotent anyway).
     */
    Worker consumeBatches(String consumerName, BatchHandler<T> handler);

    /**
     * Starts consuming with a handler that only starts its work and returns at once: a message is acknowledged when
     * the stage it returned completes normally, and stays pending when it completes exceptionally. The handler is
     * called on the queue's reading thread and must not block; at most the queue's concurrency stages are open.
     */
    Worker consumeAsync(String consumerName, AsyncHandler<T> handler);

    /** Starts the work for one delivery; see {@link #consumeAsync}. */
    @FunctionalInterface
    interface AsyncHandler<T> {
        java.util.concurrent.CompletionStage<Void> handle(Delivery<T> delivery);
    }

    /** Handles one delivery; an exception leaves the message pending, to be delivered again later. */
    @FunctionalInterface
    interface MessageHandler<T> {
        void handle(Delivery<T> delivery) throws Exception;
    }

    /** Handles several deliveries together; an exception leaves them pending (see {@link #consumeBatches}). */
    @FunctionalInterface
    interface BatchHandler<T> {
        void handle(List<Delivery<T>> deliveries) throws Exception;
    }

    /** A message as delivered: its queue id, the message and how many times it has been delivered so far. */
    record Delivery<T>(String id, T message, long deliveryCount) {}

    /** A running consumer. */
    interface Worker extends AutoCloseable {
        /** Stops taking messages and waits (bounded) for the ones in hand; unfinished ones stay pending. */
        @Override
        void close();
    }
}
