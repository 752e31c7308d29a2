package dev.cronhook.core.run;

import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * What the executors agree on about runs: whether a delivered run may start (not once it has finished or was
 * cancelled, and only within its script's concurrency limit: a run over it waits, in order, and is queued again when
 * a slot frees), and its end, published at most once per run. Thread-safe; every step is atomic and idempotent per
 * run id (a run delivered twice asks twice and gets a consistent answer).
 */
public interface RunLedger {
    /** What {@link #begin} decided. */
    enum Begin {
        /** Run it: it holds a slot of its script (when the script has a limit) until it finishes. */
        STARTED,
        /** Its script is at its limit: the run waits and is queued again later; its delivery is done with. */
        WAITING,
        /** It has finished already (a redelivery): do not run it again. */
        FINISHED,
        /** A user cancelled it before it started: finish it as cancelled. */
        CANCELLED
    }

    /** Decides whether the run of a delivery ({@code deliveryId}, the queue's id for it) may start. */
    CompletableFuture<Begin> begin(RunRequest request, String deliveryId);

    /**
     * Publishes the run's final result, its live log's end and the announcement a waiting caller hears, and gives
     * back its slot; true when this call published it, false when the run had been finished already.
     */
    CompletableFuture<Boolean> finish(RunRequest request, RunResult result);

    /** Reports the run RUNNING since {@code started}; best effort, and a report after its end changes nothing. */
    void running(UUID runId, Instant started);

    /** Lets runs waiting for a slot go where a slot's lease expired (its executor died); returns how many wait. */
    long sweep();
}
