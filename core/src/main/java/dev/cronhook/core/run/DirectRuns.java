package dev.cronhook.core.run;

/**
 * An executor in the api's own process that takes a sync webhook's run at once, without the run queue's round
 * trips (append, blocking read, acknowledgement): the run is recorded before as every run is, and traced in the
 * backlog ({@link RunBacklog#hold}) while it is held, so that a process that dies holding it leaves it to the
 * queued-run sweep instead of losing it. Its end is published as every run's is ({@link RunLedger#finish}).
 */
public interface DirectRuns {
    /**
     * Starts the run here and returns true when this executor has room for it now and the run may skip the queue
     * (its script has no concurrency limit, which the queue's ledger enforces); false: queue it as usual. Never
     * blocks.
     */
    boolean tryTake(RunRequest request);
}
