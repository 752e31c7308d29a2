package dev.cronhook.core.run;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * Where the api can ask after runs it recorded as queued: whether the executors' side still has a trace of them, so
 * that a run whose request never reached the run queue (its process died between recording and queueing it) can be
 * told from one that merely waits in a long backlog.
 */
public interface RunBacklog {
    /**
     * Of {@code runIds}, the ones of which there is no trace: no request in the run queue (neither waiting to be
     * delivered nor delivered and unacknowledged), none waiting for a concurrency slot of its script, and no
     * published end. One atomic look (a run moving between these places meanwhile is seen in one of them), read-only,
     * thread-safe; its cost grows with the backlog, not with the number of runs ever made.
     */
    Set<UUID> untraced(Collection<UUID> runIds);

    /**
     * Traces runs that an executor in the accepting process takes directly ({@link DirectRuns}), each until its end
     * is published or its lease (longer than the run may go) runs out: a run held so is not untraced while it runs,
     * and is again once its process died holding it. Sends at once and does not wait: the future completes when the
     * traces are stored, and fails when they are not (then the runs go through the queue).
     */
    CompletableFuture<Void> hold(Map<UUID, Duration> leases);
}
