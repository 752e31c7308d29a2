package dev.cronhook.api.run;

import dev.cronhook.core.queue.WorkQueue;
import dev.cronhook.core.run.RunBacklog;
import dev.cronhook.core.run.RunRequest;
import dev.cronhook.core.run.RunStatus;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds runs accepted but held by no one, and queues them: a process killed between recording a run (QUEUED) and
 * appending its request to the run queue leaves a row no executor will ever get, and so does one killed while its own
 * executor ran a run it took directly (QUEUED, or RUNNING once reported; {@code DirectRuns}). A run not ended after
 * {@code grace} of which the backlog has no trace (its request is not in the run queue, not waiting for a slot of its
 * script, not held by an executor that took it directly, and no end of it was published) is queued again with its
 * request rebuilt from the database, or failed when it can no longer run. A run merely waiting in a long backlog, or
 * running long, is left alone: the backlog holds it. Safe on any replica at any time; run by one JobRunr recurring
 * job, so two sweeps do not overlap.
 */
public class QueuedRunSweep {
    private static final Logger log = LoggerFactory.getLogger(QueuedRunSweep.class);

    private final RunRepository runs;
    private final RunService service;
    private final RunBacklog backlog;
    private final WorkQueue<RunRequest> queue;
    private final Clock clock;
    private final Duration grace;
    private final int batchSize;
    private final int maxBatches;

    /**
     * {@code grace}: how long a run may stay QUEUED before it is looked for (longer than any live process takes from
     * recording a run to queueing it); {@code batchSize}: most runs looked at in one look at the backlog.
     */
    public QueuedRunSweep(
            RunRepository runs,
            RunService service,
            RunBacklog backlog,
            WorkQueue<RunRequest> queue,
            Clock clock,
            Duration grace,
            int batchSize,
            int maxBatches) {
        this.runs = runs;
        this.service = service;
        this.backlog = backlog;
        this.queue = queue;
        this.clock = clock;
        this.grace = grace;
        this.batchSize = batchSize;
        this.maxBatches = maxBatches;
    }

    /** What one sweep did. */
    public record Swept(int looked, int queuedAgain, int failed) {}

    /**
     * Looks at the runs QUEUED for longer than the grace, oldest first, a batch at a time (at most {@code maxBatches}
     * batches: a backlog longer than that is the executors' to work off first), queues again those with no trace and
     * fails those that can no longer run.
     */
    public Swept sweep() {
        var cutoff = clock.instant().minus(grace);
        int looked = 0;
        int queuedAgain = 0;
        int failed = 0;
        RunRepository.NewRun after = null;
        for (int batch = 0; batch < maxBatches; batch++) {
            var queued = runs.openBefore(cutoff, after, batchSize);
            if (queued.isEmpty()) break;
            var swept = sweep(queued);
            looked += queued.size();
            queuedAgain += swept.queuedAgain();
            failed += swept.failed();
            if (queued.size() < batchSize) break;
            after = queued.getLast();
        }
        return new Swept(looked, queuedAgain, failed);
    }

    /**
     * One batch. Its runs were read from the database before the backlog is looked at: a run queued meanwhile is in
     * the backlog, and one that ended meanwhile has its end published there.
     */
    private Swept sweep(List<RunRepository.NewRun> queued) {
        var untraced = backlog.untraced(ids(queued));
        if (untraced.isEmpty()) return new Swept(queued.size(), 0, 0);
        var lost = queued.stream().filter(r -> untraced.contains(r.id())).toList();
        var requests = new ArrayList<RunRequest>();
        int failed = 0;
        for (var rebuilt : service.rebuild(lost)) {
            if (rebuilt.request() != null) {
                requests.add(rebuilt.request());
            } else {
                var reason = "lost before it ended (the process that accepted it, or ran it, stopped), and it"
                        + " cannot be queued again: " + rebuilt.cannotRun();
                if (runs.finish(rebuilt.row().id(), RunStatus.FAILED, null, null, reason, null, clock.instant())) {
                    failed++;
                }
            }
        }
        int queuedAgain = 0;
        var notQueued = new ArrayList<UUID>();
        var ids = queue.enqueueAll(requests);
        for (int i = 0; i < requests.size(); i++) {
            if (ids.get(i).isPresent()) queuedAgain++;
            else notQueued.add(requests.get(i).runId());
        }
        log.warn(
                "{} run(s) not ended for over {} and held by no executor: {} queued again, {} failed ({})",
                lost.size(),
                grace,
                queuedAgain,
                failed,
                ids(lost));
        if (!notQueued.isEmpty()) {
            log.warn(
                    "{} lost run(s) could not be queued again; the next sweep tries again: {}",
                    notQueued.size(),
                    notQueued);
        }
        return new Swept(queued.size(), queuedAgain, failed);
    }

    private static List<UUID> ids(List<RunRepository.NewRun> rows) {
        return rows.stream().map(RunRepository.NewRun::id).toList();
    }
}
