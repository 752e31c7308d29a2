package dev.cronhook.core.queue;

/**
 * A durable, at-least-once queue of messages of one type, shared by every replica. Thread-safe. A message is
 * acknowledged only after its handler returns normally; a message whose consumer died is delivered again after
 * the visibility timeout, so handlers must be idempotent.
 */
public interface WorkQueue<T> {

    /** Appends a message; when this returns the message survives a crash of the caller. Returns its id. */
    String enqueue(T message);

    /** Starts consuming under the given consumer name (unique per process); close the worker to stop. */
    Worker consume(String consumerName, MessageHandler<T> handler);

    /** Handles one delivery; an exception leaves the message pending, to be delivered again later. */
    @FunctionalInterface
    interface MessageHandler<T> {
        void handle(Delivery<T> delivery) throws Exception;
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
