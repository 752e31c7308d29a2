package dev.cronhook.core.run.memory;

import dev.cronhook.core.queue.memory.InMemoryWorkQueue;
import dev.cronhook.core.run.RunBacklog;
import dev.cronhook.core.run.RunRequest;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The run backlog within one process: the run queue's unacknowledged messages and what the ledger knows (finished
 * runs, runs waiting for a slot), looked at under the ledger's lock, under which the ledger moves waiting runs to the
 * queue.
 */
public final class InMemoryRunBacklog implements RunBacklog {
    private final InMemoryWorkQueue<RunRequest> runs;
    private final InMemoryRunLedger ledger;
    /** Direct holds: run id to when its lease runs out (ms). */
    private final Map<UUID, Long> held = new ConcurrentHashMap<>();

    public InMemoryRunBacklog(InMemoryWorkQueue<RunRequest> runs, InMemoryRunLedger ledger) {
        this.runs = runs;
        this.ledger = ledger;
    }

    @Override
    public Set<UUID> untraced(Collection<UUID> runIds) {
        synchronized (ledger) {
            var queued = runs.messages().stream().map(RunRequest::runId).collect(Collectors.toSet());
            var untraced = new HashSet<UUID>();
            for (var id : runIds) {
                Long until = held.get(id);
                boolean holding = until != null && until > System.currentTimeMillis();
                if (!queued.contains(id) && !ledger.knows(id) && !holding) untraced.add(id);
            }
            return untraced;
        }
    }

    @Override
    public CompletableFuture<Void> hold(Map<UUID, Duration> leases) {
        long now = System.currentTimeMillis();
        leases.forEach((id, lease) -> held.put(id, now + lease.toMillis()));
        return CompletableFuture.completedFuture(null);
    }
}
