package dev.cronhook.api.run;

import dev.cronhook.api.log.LogArchiver;
import dev.cronhook.core.queue.Streams;
import dev.cronhook.core.queue.WorkQueue;
import dev.cronhook.core.run.RunResult;
import dev.cronhook.core.run.RunStatus;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Instant;
import java.util.UUID;
import org.springframework.context.SmartLifecycle;
import tools.jackson.databind.json.JsonMapper;

/**
 * Records what executors report: RUNNING, then one final status with result, reply or error. Idempotent: a
 * repeated or late report of a run that has ended changes nothing. After a final status is durable it announces
 * the run on {@link Streams#RUN_FINISHED_CHANNEL} for any waiting caller, and archives its log when the api
 * is the one that keeps logs ({@code archiver} not null).
 */
public class RunResultRecorder implements SmartLifecycle {
    private final WorkQueue<RunResult> results;
    private final RunRepository runs;
    private final StatefulRedisConnection<String, String> redis;
    private final JsonMapper json;
    private final LogArchiver archiver;
    private final RunRetries retries;
    private volatile WorkQueue.Worker worker;

    public RunResultRecorder(
            WorkQueue<RunResult> results,
            RunRepository runs,
            StatefulRedisConnection<String, String> redis,
            JsonMapper json) {
        this(results, runs, redis, json, null, RunRetries.NONE);
    }

    public RunResultRecorder(
            WorkQueue<RunResult> results,
            RunRepository runs,
            StatefulRedisConnection<String, String> redis,
            JsonMapper json,
            LogArchiver archiver,
            RunRetries retries) {
        this.archiver = archiver;
        this.results = results;
        this.runs = runs;
        this.redis = redis;
        this.json = json;
        this.retries = retries;
    }

    public void record(RunResult r) {
        if (r.status() == RunStatus.RUNNING) {
            runs.markRunning(r.runId(), r.startedAt() == null ? Instant.now() : r.startedAt());
            return;
        }
        if (!r.status().isFinal()) return;
        boolean ended = runs.finish(
                r.runId(),
                r.status(),
                r.resultJson(),
                r.reply() == null ? null : json.writeValueAsString(r.reply()),
                r.error(),
                r.startedAt(),
                r.finishedAt() == null ? Instant.now() : r.finishedAt());
        // asked again on a repeated report too: scheduling the retry is idempotent, and a lost one is made up
        if (r.status() == RunStatus.FAILED || r.status() == RunStatus.TIMED_OUT) retries.afterFailure(r.runId());
        // announced even when it was recorded before: a waiter may have registered after the first announcement
        redis.sync().publish(Streams.RUN_FINISHED_CHANNEL, r.runId().toString());
        // after the announcement, so a waiting webhook caller does not wait for the archive
        if (ended && archiver != null) archiver.archiveRun(r.runId());
    }

    @Override
    public void start() {
        worker = results.consume(
                "api-" + ProcessHandle.current().pid() + "-"
                        + UUID.randomUUID().toString().substring(0, 8),
                d -> record(d.message()));
    }

    @Override
    public void stop() {
        if (worker != null) worker.close();
        worker = null;
    }

    @Override
    public boolean isRunning() {
        return worker != null;
    }
}
