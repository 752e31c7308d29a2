package dev.cronhook.api.run;

import dev.cronhook.api.log.LogArchiver;
import dev.cronhook.core.queue.WorkQueue;
import dev.cronhook.core.run.FinishedRuns;
import dev.cronhook.core.run.RunResult;
import dev.cronhook.core.run.RunStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.springframework.context.SmartLifecycle;
import tools.jackson.databind.json.JsonMapper;

/**
 * Records what executors report: RUNNING, then one final status with result, reply or error. Idempotent: a
 * repeated or late report of a run that has ended changes nothing. Reports are taken in batches (one database
 * round trip for all that arrived together). After a final status is durable it archives the run's log when the
 * api is the one that keeps logs ({@code archiver} not null). (A waiting webhook caller does not wait for this:
 * the executor announces the end as it publishes it, see {@link PublishedRunEnds}.)
 */
public class RunResultRecorder implements SmartLifecycle {
    private final WorkQueue<RunResult> results;
    private final RunRepository runs;
    private final JsonMapper json;
    private final LogArchiver archiver;
    private final RunRetries retries;
    private final FinishedRuns keys;
    private final RunEnds watchers;
    private volatile ExecutorService archiving;
    private volatile WorkQueue.Worker worker;

    public RunResultRecorder(
            WorkQueue<RunResult> results,
            RunRepository runs,
            JsonMapper json,
            LogArchiver archiver,
            RunRetries retries,
            FinishedRuns keys,
            RunEnds watchers) {
        this.keys = keys;
        this.watchers = watchers;
        this.archiver = archiver;
        this.results = results;
        this.runs = runs;
        this.json = json;
        this.retries = retries;
    }

    /** Records a batch of reports; an exception leaves them all to be reported again. */
    public void record(List<RunResult> reports) {
        var endedHere = new HashSet<UUID>();
        var ended = new ArrayList<RunResult>();
        for (var r : reports) {
            if (r.status().isFinal() && endedHere.add(r.runId())) ended.add(r);
        }
        var started = new ArrayList<RunRepository.Started>();
        var startedHere = new HashSet<UUID>();
        for (var r : reports) {
            // a RUNNING report is moot when the same batch ends the run, and counts once
            if (r.status() == RunStatus.RUNNING && !endedHere.contains(r.runId()) && startedHere.add(r.runId())) {
                started.add(
                        new RunRepository.Started(r.runId(), r.startedAt() == null ? Instant.now() : r.startedAt()));
            }
        }
        boolean[] changed = runs.record(
                started,
                ended.stream()
                        .map(r -> new RunRepository.Ended(
                                r.runId(),
                                r.status(),
                                r.resultJson(),
                                r.reply() == null ? null : json.writeValueAsString(r.reply()),
                                r.error(),
                                r.startedAt(),
                                r.finishedAt() == null ? Instant.now() : r.finishedAt()))
                        .toList());
        for (var r : ended) {
            // asked again on a repeated report too: scheduling the retry is idempotent, and a lost one is made up
            if (r.status() == RunStatus.FAILED || r.status() == RunStatus.TIMED_OUT) retries.afterFailure(r.runId());
        }
        if (!ended.isEmpty()) {
            var recordedNow = new HashSet<UUID>();
            for (int i = 0; i < ended.size(); i++)
                if (changed[i]) recordedNow.add(ended.get(i).runId());
            try {
                // all ended runs, not only those changed now: a crash after the record and before this is made up
                // by the redelivery; the watchers count a run once
                watchers.ended(ended, recordedNow);
            } catch (RuntimeException e) {
                // never holds up the recording of runs; the incident misses this end
                org.slf4j.LoggerFactory.getLogger(RunResultRecorder.class)
                        .warn("could not evaluate the alerts of {} ended run(s): {}", ended.size(), e.toString());
            }
        }
        var endedNow = new ArrayList<UUID>();
        for (int i = 0; i < ended.size(); i++)
            if (changed[i]) endedNow.add(ended.get(i).runId());
        if (endedNow.isEmpty()) return;
        // off this loop, so the next reports do not wait for it; the live streams keep the lines for a day if the
        // archive does not happen, and the records in Redis keep their longer expiry if shortening them fails
        archiving.execute(() -> {
            var logged = keys.recorded(endedNow);
            keys.logsKept(archiver == null ? logged : archiver.archiveRuns(logged));
        });
    }

    @Override
    public void start() {
        archiving = Executors.newVirtualThreadPerTaskExecutor();
        worker = results.consumeBatches(
                "api-" + ProcessHandle.current().pid() + "-"
                        + UUID.randomUUID().toString().substring(0, 8),
                batch -> record(batch.stream().map(WorkQueue.Delivery::message).toList()));
    }

    @Override
    public void stop() {
        if (worker != null) worker.close();
        worker = null;
        archiving.close();
    }

    @Override
    public boolean isRunning() {
        return worker != null;
    }
}
