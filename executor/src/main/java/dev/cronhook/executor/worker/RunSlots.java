package dev.cronhook.executor.worker;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * The runs one worker runs at once, from the queue and handed over directly alike: at most {@code size}. Runs wait
 * their turn in one line, in order: a queued run always ({@link #take}), a direct run only while the line is short
 * ({@link #tryJoin}: else it goes on the queue), and it may leave the line before its turn ({@link #withdraw}).
 * Thread-safe.
 */
final class RunSlots {
    private final ArrayDeque<CompletableFuture<Void>> waiting = new ArrayDeque<>();
    private int free;

    RunSlots(int size) {
        this.free = size;
    }

    /**
     * A turn for a direct run: a slot now (a completed turn) when one is free and no run waits, a place at the end
     * of the line when fewer than {@code maxWaiting} runs wait (the turn completes when a slot is given to it), or
     * null when the line is that long.
     */
    synchronized CompletableFuture<Void> tryJoin(int maxWaiting) {
        if (free > 0 && waiting.isEmpty()) {
            free--;
            return CompletableFuture.completedFuture(null);
        }
        if (waiting.size() >= maxWaiting) return null;
        var turn = new CompletableFuture<Void>();
        waiting.add(turn);
        return turn;
    }

    /**
     * Takes a waiting turn out of the line: true when it left without a slot; false when a slot was already given
     * to it (its holder owns that slot and must {@link #release} it).
     */
    synchronized boolean withdraw(CompletableFuture<Void> turn) {
        return waiting.removeFirstOccurrence(turn);
    }

    /** A slot, now or when one is given back: in order of asking. */
    CompletableFuture<Void> take() {
        return tryJoin(Integer.MAX_VALUE); // a queued run's line has no end
    }

    /** Gives a slot back: to the first waiting run, if any (its work goes on on this thread). */
    void release() {
        CompletableFuture<Void> next;
        synchronized (this) {
            next = waiting.poll();
            if (next == null) {
                free++;
                return;
            }
        }
        next.complete(null);
    }

    /** Slots free now. */
    synchronized int free() {
        return free;
    }
}
