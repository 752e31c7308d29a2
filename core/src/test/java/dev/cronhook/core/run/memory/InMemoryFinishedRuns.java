package dev.cronhook.core.run.memory;

import dev.cronhook.core.run.FinishedRuns;
import dev.cronhook.core.run.RunResult;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Published ends within one process: {@link #publish} is what an in-memory ledger calls as a run ends, and wakes the
 * run's waiter with the end. {@link #logged} marks a run as having a live log.
 */
public final class InMemoryFinishedRuns implements FinishedRuns {
    private final Map<UUID, RunResult> ends = new ConcurrentHashMap<>();
    private final Map<UUID, CompletableFuture<Optional<RunResult>>> waiting = new ConcurrentHashMap<>();
    private final Set<UUID> logged = ConcurrentHashMap.newKeySet();
    private final Set<UUID> recorded = ConcurrentHashMap.newKeySet();

    /** A run's end, as its executor publishes it. */
    public void publish(RunResult end) {
        ends.putIfAbsent(end.runId(), end);
        var waiter = waiting.remove(end.runId());
        if (waiter != null) waiter.complete(Optional.of(end));
    }

    @Override
    public void publishedHere(RunResult end) {
        var waiter = waiting.remove(end.runId());
        if (waiter != null) waiter.complete(Optional.of(end));
    }

    /** The run has a live log. */
    public void logged(UUID runId) {
        logged.add(runId);
    }

    /** Whether the database was said to have recorded the run's end. */
    public boolean wasRecorded(UUID runId) {
        return recorded.contains(runId);
    }

    @Override
    public Optional<RunResult> find(UUID runId) {
        return Optional.ofNullable(ends.get(runId));
    }

    @Override
    public Map<UUID, RunResult> findAll(Collection<UUID> runIds) {
        var out = new HashMap<UUID, RunResult>();
        for (UUID id : runIds) {
            var end = ends.get(id);
            if (end != null) out.put(id, end);
        }
        return out;
    }

    @Override
    public CompletableFuture<Optional<RunResult>> await(UUID runId) {
        var end = new CompletableFuture<Optional<RunResult>>();
        waiting.put(runId, end);
        return end;
    }

    @Override
    public void forget(UUID runId) {
        waiting.remove(runId);
    }

    @Override
    public List<UUID> recorded(List<UUID> runIds) {
        recorded.addAll(runIds);
        return runIds.stream().filter(logged::contains).toList();
    }

    @Override
    public void logsKept(List<UUID> runIds) {
        logged.removeAll(runIds);
    }
}
