package dev.cronhook.core.run;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * The ends of runs as their executors published them ({@link RunLedger#finish}), exactly as published and a moment
 * before the api has recorded them, and a wait for one: what a sync webhook caller is answered from. Every api replica
 * hears every end. Thread-safe; reads that cannot reach the store answer "not published" (the database then says
 * where the run stands, never wrongly, only perhaps a moment behind).
 */
public interface FinishedRuns {
    /** The run's published end, while it is kept. */
    Optional<RunResult> find(UUID runId);

    /** The published ends of those of {@code runIds} that have one, in one round trip. */
    Map<UUID, RunResult> findAll(Collection<UUID> runIds);

    /**
     * Waits for the run's end, registered before the run is launched so that no end is missed; completes with the
     * end when its announcement carried it, else empty (read it then). {@link #forget} the wait when done.
     */
    CompletableFuture<Optional<RunResult>> await(UUID runId);

    /**
     * An end that an executor in this process has just published ({@link RunLedger#finish} said so): wakes its waiter
     * here at once, with the end, instead of a moment later when the announcement comes back from the store (which
     * then finds no waiter). Never blocks.
     */
    void publishedHere(RunResult end);

    /** Drops the wait for a run (its caller is answered or gone). */
    void forget(UUID runId);

    /**
     * The database has recorded these runs' ends: their published ends need be kept only a short while more.
     * Returns those of the runs that have a live log to archive (all of them when that cannot be told).
     */
    List<UUID> recorded(List<UUID> runIds);

    /** These runs' live logs are archived (or kept elsewhere): they need be kept only a short while more. */
    void logsKept(List<UUID> runIds);
}
