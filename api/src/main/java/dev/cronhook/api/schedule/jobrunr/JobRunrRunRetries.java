package dev.cronhook.api.schedule.jobrunr;

import dev.cronhook.api.run.RunRepository;
import dev.cronhook.api.run.RunRetries;
import dev.cronhook.api.script.ScriptRepository;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.jobrunr.scheduling.JobRequestScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;

/**
 * Schedules the next attempt of a failed cron or webhook run as a JobRunr job after the script's backoff delay.
 * The job's id is derived from the failed run's, so telling this twice schedules one job.
 */
public class JobRunrRunRetries implements RunRetries {
    private static final Logger log = LoggerFactory.getLogger(JobRunrRunRetries.class);
    private static final Set<String> RETRIED_TRIGGERS = Set.of("cron", "webhook");

    private final RunRepository runs;
    private final ScriptRepository scripts;
    private final ObjectProvider<JobRequestScheduler> jobs;
    private final Clock clock;

    public JobRunrRunRetries(
            RunRepository runs, ScriptRepository scripts, ObjectProvider<JobRequestScheduler> jobs, Clock clock) {
        this.runs = runs;
        this.scripts = scripts;
        this.jobs = jobs;
        this.clock = clock;
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
        try {
            scheduler.schedule(jobId, at, new RetryRunJob(runId, at));
            log.info(
                    "run {} failed; attempt {} of {} at {}",
                    runId,
                    run.attempt() + 1,
                    script.retry().maxAttempts(),
                    at);
        } catch (org.jobrunr.storage.ConcurrentJobModificationException e) {
            // scheduled before: this is a repeated report of the same failure
        }
    }
}
