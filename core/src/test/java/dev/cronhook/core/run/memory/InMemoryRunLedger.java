package dev.cronhook.core.run.memory;

import dev.cronhook.core.run.RunLedger;
import dev.cronhook.core.run.RunRequest;
import dev.cronhook.core.run.RunResult;
import dev.cronhook.core.run.RunSignals;
import dev.cronhook.core.run.RunStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The run ledger within one process, as the Redis one behaves: a run finishes once, a cancelled one is told so, and a
 * script's concurrency slots are leased for its timeout plus {@code leaseSlack}, waiting runs going back to {@code
 * requeue} in order as slots free. What it publishes (RUNNING reports and final results) it keeps in {@link
 * #published()}.
 */
public final class InMemoryRunLedger implements RunLedger {
    private final RunSignals signals;
    private final Consumer<RunRequest> requeue;
    private final Duration leaseSlack;
    private final Map<UUID, RunResult> finished = new HashMap<>();
    private final Map<UUID, Map<UUID, Long>> slots = new HashMap<>();
    private final Map<UUID, ArrayDeque<RunRequest>> waiting = new LinkedHashMap<>();
    private final List<RunResult> published = new CopyOnWriteArrayList<>();

    private final Consumer<RunResult> onFinished;

    public InMemoryRunLedger(RunSignals signals, Consumer<RunRequest> requeue, Duration leaseSlack) {
        this(signals, requeue, leaseSlack, end -> {});
    }

    /** A ledger that also hands each end it publishes to {@code board}, as the Redis ledger announces it. */
    public InMemoryRunLedger(
            RunSignals signals, Consumer<RunRequest> requeue, Duration leaseSlack, InMemoryFinishedRuns board) {
        this(signals, requeue, leaseSlack, board::publish);
    }

    private InMemoryRunLedger(
            RunSignals signals, Consumer<RunRequest> requeue, Duration leaseSlack, Consumer<RunResult> onFinished) {
        this.signals = signals;
        this.requeue = requeue;
        this.leaseSlack = leaseSlack;
        this.onFinished = onFinished;
    }

    @Override
    public synchronized CompletableFuture<Begin> begin(RunRequest request, String deliveryId) {
        UUID runId = request.runId();
        int limit = Math.max(0, request.maxConcurrency());
        Begin ended = finished.containsKey(runId) ? Begin.FINISHED : signals.cancelled(runId) ? Begin.CANCELLED : null;
        if (ended != null) {
            if (limit > 0) {
                slots(request.scriptId()).remove(runId);
                release(request.scriptId(), limit, lease(request));
            }
            return CompletableFuture.completedFuture(ended);
        }
        if (limit > 0) {
            var held = slots(request.scriptId());
            if (!held.containsKey(runId)) {
                // the runs already waiting go first
                release(request.scriptId(), limit, lease(request));
                var queue = waiting.get(request.scriptId());
                if (held.size() >= limit || (queue != null && !queue.isEmpty())) {
                    waiting.computeIfAbsent(request.scriptId(), k -> new ArrayDeque<>())
                            .add(request);
                    return CompletableFuture.completedFuture(Begin.WAITING);
                }
            }
            held.put(runId, System.currentTimeMillis() + lease(request).toMillis());
        }
        return CompletableFuture.completedFuture(Begin.STARTED);
    }

    @Override
    public synchronized CompletableFuture<Boolean> finish(RunRequest request, RunResult result) {
        boolean first = finished.putIfAbsent(result.runId(), result) == null;
        if (first) {
            published.add(result);
            onFinished.accept(result);
        }
        int limit = Math.max(0, request.maxConcurrency());
        if (limit > 0) {
            slots(request.scriptId()).remove(result.runId());
            release(request.scriptId(), limit, lease(request));
        }
        return CompletableFuture.completedFuture(first);
    }

    @Override
    public void running(UUID runId, Instant started) {
        published.add(new RunResult(runId, RunStatus.RUNNING, null, null, null, started, null));
    }

    @Override
    public synchronized long sweep() {
        for (var entry : List.copyOf(waiting.entrySet())) {
            var first = entry.getValue().peek();
            if (first != null) release(entry.getKey(), first.maxConcurrency(), lease(first));
        }
        return waiting.size();
    }

    /**
     * Whether the ledger knows of the run: finished, or waiting for a slot. Holding the ledger's lock (as {@code
     * synchronized (ledger)} does) keeps a waiting run from moving to the queue meanwhile.
     */
    public synchronized boolean knows(UUID runId) {
        if (finished.containsKey(runId)) return true;
        for (var queue : waiting.values()) {
            for (var request : queue) {
                if (request.runId().equals(runId)) return true;
            }
        }
        return false;
    }

    /** Every RUNNING report and final result, in the order they were published. */
    public List<RunResult> published() {
        return List.copyOf(published);
    }

    private Map<UUID, Long> slots(UUID scriptId) {
        return slots.computeIfAbsent(scriptId, k -> new HashMap<>());
    }

    private void release(UUID scriptId, int limit, Duration lease) {
        long now = System.currentTimeMillis();
        var held = slots(scriptId);
        held.values().removeIf(expiry -> expiry <= now);
        var queue = waiting.get(scriptId);
        while (queue != null && !queue.isEmpty() && held.size() < limit) {
            var next = queue.poll();
            held.put(next.runId(), now + lease.toMillis());
            requeue.accept(next);
        }
        if (queue != null && queue.isEmpty()) waiting.remove(scriptId);
    }

    private Duration lease(RunRequest request) {
        return Duration.ofSeconds(Math.max(1, request.timeoutSeconds())).plus(leaseSlack);
    }
}
