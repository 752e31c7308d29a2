package dev.cronhook.api.schedule.jobrunr;

import dev.cronhook.api.error.NoDeployedVersionException;
import dev.cronhook.api.run.RunRepository;
import dev.cronhook.api.run.RunService;
import dev.cronhook.api.schedule.RetryMarks;
import dev.cronhook.api.script.ScriptRepository;
import dev.cronhook.core.run.TriggerKind;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.jobrunr.jobs.lambdas.JobRequestHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Runs {@link RetryRunJob}: launches attempt n+1 of the failed run with the same trigger, event and scheduled time.
 * At most once per failed run, even if JobRunr runs the job twice; never before its time, even if JobRunr hands it
 * over up to a poll interval early.
 */
public class RetryRunJobHandler implements JobRequestHandler<RetryRunJob> {
    private static final Logger log = LoggerFactory.getLogger(RetryRunJobHandler.class);

    private final RunRepository runs;
    private final ScriptRepository scripts;
    private final RunService runService;
    private final RetryMarks marks;
    private final JsonMapper json;
    private final Clock clock;

    public RetryRunJobHandler(
            RunRepository runs,
            ScriptRepository scripts,
            RunService runService,
            RetryMarks marks,
            JsonMapper json,
            Clock clock) {
        this.runs = runs;
        this.scripts = scripts;
        this.runService = runService;
        this.marks = marks;
        this.json = json;
        this.clock = clock;
    }

    @Override
    public void run(RetryRunJob job) throws InterruptedException {
        var early = Duration.between(clock.instant(), job.notBefore());
        if (early.isPositive()) Thread.sleep(early);

        var failed = runs.findAnyOwner(job.failedRunId()).orElse(null);
        if (failed == null) return; // purged, or its script was deleted
        var script = scripts.findAnyOwner(List.of(failed.scriptId())).stream()
                .findFirst()
                .orElse(null);
        if (script == null) return;

        if (!marks.mark(failed.id())) return;
        ObjectNode event = failed.event() != null && json.readTree(failed.event()) instanceof ObjectNode o
                ? o
                : json.createObjectNode();
        try {
            var launched = runService.launch(RunService.Launch.retry(
                    script,
                    TriggerKind.fromWireName(failed.trigger()),
                    event,
                    failed.scheduledAt(),
                    failed.attempt() + 1));
            log.info(
                    "retried run {} of {} as {} (attempt {})",
                    failed.id(),
                    script.id(),
                    launched.runId(),
                    failed.attempt() + 1);
        } catch (NoDeployedVersionException e) {
            log.info("run {} is not retried: {}", failed.id(), e.getMessage());
        } catch (RuntimeException e) {
            // not launched: let JobRunr try the job again later
            marks.unmark(failed.id());
            throw e;
        }
    }
}
