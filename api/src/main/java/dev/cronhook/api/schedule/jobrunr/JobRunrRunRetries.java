package dev.cronhook.api.schedule.jobrunr;

import dev.cronhook.api.run.RunRepository;
import dev.cronhook.api.run.RunRetries;
import dev.cronhook.api.script.ScriptRepository;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import org.jobrunr.scheduling.JobRequestScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;

/**
 * Schedules the next attempt of a failed cron or webhook run as a JobRunr job after the script's backoff delay.
 * The job's id is derived from the failed run's, so telling this twice schedules one job.
 *
 * <p>JobRunr's job servers look for due jobs once a poll interval and hand over early those due before their next
 * look (the handler waits for the job's time), so a retry due sooner than one poll interval after the failure could
 * start up to an interval late. Such a retry is also launched by this process at its time, on a virtual thread of its
 * own; the handler's retry mark lets one of the two launch it, and the JobRunr job stays the durable one (it launches
 * the retry if this process stops first, or if the launch here fails). At most {@value #MAX_LOCAL} such waits at once;
 * beyond that, JobRunr's job alone. {@link #close()} (the context closing) ends the waits and waits for launches under
 * way, so no retry is marked here by a process whose connections are already gone.
 */
public class JobRunrRunRetries implements RunRetries, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JobRunrRunRetries.class);
    private static final Set<String> RETRIED_TRIGGERS = Set.of("cron", "webhook");
    static final int MAX_LOCAL = 1000;

    private final RunRepository runs;
    private final ScriptRepository scripts;
    private final ObjectProvider<JobRequestScheduler> jobs;
    private final Clock clock;
    private final RetryRunJobHandler handler;
    private final Duration pollInterval;
    private final Semaphore localWaits = new Semaphore(MAX_LOCAL);
    // under this object's lock: the threads still waiting (interrupted on close), the launches under way
    private final Set<Thread> waiting = new HashSet<>();
    private int launching;
    private boolean closed;

    /**
     * @param handler launches a retry; run here for a retry due within {@code pollInterval}
     * @param pollInterval how often JobRunr's job servers look for due jobs
     */
    public JobRunrRunRetries(
            RunRepository runs,
            ScriptRepository scripts,
            ObjectProvider<JobRequestScheduler> jobs,
            Clock clock,
            RetryRunJobHandler handler,
            Duration pollInterval) {
        this.runs = runs;
        this.scripts = scripts;
        this.jobs = jobs;
        this.clock = clock;
        this.handler = handler;
        this.pollInterval = pollInterval;
    }

    @Override
    public void afterFailure(UUID runId) {
        var run = runs.findAnyOwner(runId).orElse(null);
        if (run == null || !RETRIED_TRIGGERS.contains(run.trigger())) return;
        var script = scripts.findAnyOwner(List.of(run.scriptId())).stream()
                .findFirst()
                .orElse(null);
        if (script == null || run.attempt() >= script.retry().maxAttempts()) return;
        var scheduler = jobs.getIfAvailable();
        if (scheduler == null) {
            log.warn("run {} is not retried: JobRunr is not configured in this process", runId);
            return;
        }
        var at = clock.instant().plus(script.retry().delayBefore(run.attempt() + 1));
        var jobId = UUID.nameUUIDFromBytes(("retry:" + runId).getBytes(StandardCharsets.UTF_8));
        var job = new RetryRunJob(runId, at);
        try {
            scheduler.schedule(jobId, at, job);
            log.info(
                    "run {} failed; attempt {} of {} at {}",
                    runId,
                    run.attempt() + 1,
                    script.retry().maxAttempts(),
                    at);
        } catch (org.jobrunr.storage.ConcurrentJobModificationException e) {
            // scheduled before: this is a repeated report of the same failure
            return;
        }
        if (Duration.between(clock.instant(), at).compareTo(pollInterval) < 0) launchHereAt(job);
    }

    /** Launches the retry at its time on a virtual thread of its own, unless too many wait or this is closed. */
    void launchHereAt(RetryRunJob job) {
        if (!localWaits.tryAcquire()) return;
        var thread = Thread.ofVirtual().name("retry-" + job.failedRunId()).unstarted(() -> launchHere(job));
        synchronized (this) {
            if (closed) {
                localWaits.release();
                return;
            }
            waiting.add(thread);
        }
        thread.start();
    }

    private void launchHere(RetryRunJob job) {
        try {
            var early = Duration.between(clock.instant(), job.notBefore());
            if (early.isPositive()) Thread.sleep(early);
            synchronized (this) {
                waiting.remove(Thread.currentThread());
                if (closed) return;
                launching++;
            }
            try {
                handler.run(job);
            } finally {
                synchronized (this) {
                    launching--;
                    notifyAll();
                }
            }
        } catch (InterruptedException e) {
            // closed while waiting: JobRunr's job launches it
        } catch (RuntimeException e) {
            log.debug("run {}: its retry is left to JobRunr: {}", job.failedRunId(), e.toString());
        } finally {
            synchronized (this) {
                waiting.remove(Thread.currentThread());
            }
            localWaits.release();
        }
    }

    /** Ends the waits (their retries are left to JobRunr) and waits up to 10 s for launches under way. */
    @Override
    public synchronized void close() throws InterruptedException {
        closed = true;
        waiting.forEach(Thread::interrupt);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (launching > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) break;
            wait(Math.max(1, left / 1_000_000));
        }
    }
}
