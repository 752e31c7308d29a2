package dev.cronhook.executor.worker;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * The runs one worker runs at once, from the queue and handed over directly alike: at most {@code size}. A queued
 * run waits its turn in order ({@link #take}); a direct run takes a free slot only when no queued run waits for one
 * ({@link #tryTake}: else it goes on the queue, behind them). Thread-safe.
 */
final class RunSlots {
    private final ArrayDeque<CompletableFuture<Void>> waiting = new ArrayDeque<>();
    private int free;

    RunSlots(int size) {
        this.free = size;
    }

    /** A slot now, or none (false) when all are taken or queued runs wait for one. */
    synchronized boolean tryTake() {
        if (free == 0 || !waiting.isEmpty()) return false;
        free--;
        return true;
    }

    /** A slot, now or when one is given back: in order of asking. */
    synchronized CompletableFuture<Void> take() {
        if (free > 0 && waiting.isEmpty()) {
            free--;
            return CompletableFuture.completedFuture(null);
        }
        var turn = new CompletableFuture<Void>();
        waiting.add(turn);
        return turn;
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
