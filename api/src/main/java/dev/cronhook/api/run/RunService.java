package dev.cronhook.api.run;

import dev.cronhook.api.db.ReadCache;
import dev.cronhook.api.db.ReadCaches;
import dev.cronhook.api.error.NoDeployedVersionException;
import dev.cronhook.api.error.RunNotCancellableException;
import dev.cronhook.api.error.RunNotFoundException;
import dev.cronhook.api.error.ServiceUnavailableException;
import dev.cronhook.api.script.ScriptRepository;
import dev.cronhook.api.secret.RunTokens;
import dev.cronhook.api.secret.SecretService;
import dev.cronhook.api.user.CurrentUser;
import dev.cronhook.core.queue.Streams;
import dev.cronhook.core.queue.WorkQueue;
import dev.cronhook.core.run.RunRequest;
import dev.cronhook.core.run.RunStatus;
import dev.cronhook.core.run.TriggerKind;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.springframework.stereotype.Service;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Starts runs (manual, webhook, cron): records the run as QUEUED, then queues it for an executor; if the queue
 * cannot take it the run is removed again and the caller told (nothing half-accepted). Cancels runs.
 */
@Service
public class RunService {
    private static final Duration CANCEL_MARK_TTL = Duration.ofDays(1);
    private static final Duration TOKEN_SLACK = Duration.ofHours(1);

    private final RunRepository runs;
    private final ScriptRepository scripts;
    private final WorkQueue<RunRequest> queue;
    private final StatefulRedisConnection<String, String> redis;
    private final JsonMapper json;
    private final RunTokens tokens;
    private final SecretService secrets;
    private final ReadCache<String, Optional<ScriptRepository.VersionRow>> versions;
    private final ReadCache<String, Boolean> hasSecrets;
    private static final int LAUNCH_BATCH = 40;

    public RunService(
            RunRepository runs,
            ScriptRepository scripts,
            WorkQueue<RunRequest> queue,
            StatefulRedisConnection<String, String> redis,
            JsonMapper json,
            RunTokens tokens,
            SecretService secrets,
            ReadCaches caches) {
        this.tokens = tokens;
        this.secrets = secrets;
        this.versions = caches.create(Duration.ofSeconds(30), 10_000);
        this.hasSecrets = caches.create(Duration.ofSeconds(1), 10_000);
        this.runs = runs;
        this.scripts = scripts;
        this.queue = queue;
        this.redis = redis;
        this.json = json;
    }

    /** A run that was accepted: its id and the request an executor got. */
    public record Launched(UUID runId, RunRequest request) {}

    /**
     * Launches a run of the script's active version. {@code event} is what the script receives; trigger and
     * runId (and scheduledAt for cron) are set here.
     */
    public Launched launch(
            ScriptRepository.ScriptRow script,
            TriggerKind trigger,
            ObjectNode event,
            Instant scheduledAt,
            int attempt) {
        return launch(UUID.randomUUID(), script, trigger, event, scheduledAt, attempt);
    }

    /** As above, with the run id chosen by the caller (who may wait for the run under it). */
    public Launched launch(
            UUID runId,
            ScriptRepository.ScriptRow script,
            TriggerKind trigger,
            ObjectNode event,
            Instant scheduledAt,
            int attempt) {
        if (script.activeVersion() == null) {
            throw new NoDeployedVersionException("script '" + script.name() + "' has no deployed version yet:"
                    + " its first build must finish (see GET /api/scripts/" + script.id() + "/versions)");
        }
        // a deployed version is READY and immutable: caching it is safe
        var version = versions.get(
                        script.id() + "/" + script.activeVersion(),
                        k -> scripts.version(script.id(), script.activeVersion()))
                .orElseThrow();
        var now = Instant.now();
        event.put("trigger", trigger.wireName());
        event.put("runId", runId.toString());
        if (scheduledAt != null) event.put("scheduledAt", scheduledAt.toString());
        String eventJson = json.writeValueAsString(event);
        runs.insert(
                runId,
                script.id(),
                script.ownerId(),
                version.version(),
                trigger.wireName(),
                eventJson,
                attempt,
                scheduledAt,
                now);
        var request = new RunRequest(
                runId,
                script.id(),
                version.version(),
                version.imageRef(),
                trigger,
                eventJson,
                script.timeoutSeconds(),
                script.memoryMb(),
                attempt,
                now,
                secretsToken(runId, script));
        try {
            queue.enqueue(request);
        } catch (RuntimeException e) {
            runs.deleteQueued(runId);
            throw new ServiceUnavailableException(
                    "the run queue is unavailable, the run was not accepted; retry later");
        }
        return new Launched(runId, request);
    }

    /** One run for {@link #launchAll}; {@code image} is the active version's image if the caller knows it. */
    public record Launch(
            ScriptRepository.ScriptRow script,
            TriggerKind trigger,
            ObjectNode event,
            Instant scheduledAt,
            int attempt,
            String image) {}

    /** What became of one {@link Launch}: the run that was accepted, or why it was not. */
    public record Outcome(Launch launch, Launched launched, RuntimeException failure) {}

    /**
     * Launches many runs at once, as {@link #launch} does one: the runs are inserted in a few batches side by
     * side, each batch's requests queued as soon as it is in; a run whose request the queue does not take is removed
     * again. For the scheduler, whose ticks come in bursts.
     */
    /** A token for the run's secrets, or null when the script's owner keeps none (the executor asks for none). */
    private String secretsToken(UUID runId, ScriptRepository.ScriptRow script) {
        boolean needed = hasSecrets.get(
                script.ownerId() + "/" + script.id(), k -> secrets.hasAny(script.ownerId(), script.id()));
        return needed
                ? tokens.issue(
                        runId, Duration.ofSeconds(script.timeoutSeconds()).plus(TOKEN_SLACK))
                : null;
    }

    public List<Outcome> launchAll(List<Launch> launches) {
        var outcomes = new ArrayList<Outcome>(launches.size());
        var ready = new ArrayList<Launch>(launches.size());
        for (var l : launches) {
            if (l.script().activeVersion() == null) {
                outcomes.add(new Outcome(l, null, noDeployedVersion(l.script())));
            } else ready.add(l);
        }
        var images = scripts.imageRefs(ready.stream()
                .filter(l -> l.image() == null)
                .map(l -> Map.entry(l.script().id(), l.script().activeVersion()))
                .toList());
        var now = Instant.now();
        var rows = new ArrayList<RunRepository.NewRun>(ready.size());
        var requests = new ArrayList<RunRequest>(ready.size());
        for (var l : ready) {
            var runId = UUID.randomUUID();
            var event = l.event();
            event.put("trigger", l.trigger().wireName());
            event.put("runId", runId.toString());
            if (l.scheduledAt() != null)
                event.put("scheduledAt", l.scheduledAt().toString());
            String eventJson = json.writeValueAsString(event);
            int version = l.script().activeVersion();
            rows.add(new RunRepository.NewRun(
                    runId,
                    l.script().id(),
                    l.script().ownerId(),
                    version,
                    l.trigger().wireName(),
                    eventJson,
                    l.attempt(),
                    l.scheduledAt(),
                    now));
            requests.add(new RunRequest(
                    runId,
                    l.script().id(),
                    version,
                    l.image() != null
                            ? l.image()
                            : images.get(Map.entry(l.script().id(), version)),
                    l.trigger(),
                    eventJson,
                    l.script().timeoutSeconds(),
                    l.script().memoryMb(),
                    l.attempt(),
                    now,
                    secretsToken(runId, l.script())));
        }
        var queued = new ArrayList<Future<?>>(requests.size());
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            var inserted = new ArrayList<Future<?>>();
            for (int from = 0; from < rows.size(); from += LAUNCH_BATCH) {
                var batch = rows.subList(from, Math.min(rows.size(), from + LAUNCH_BATCH));
                inserted.add(pool.submit(() -> runs.insertAll(batch)));
            }
            for (int i = 0; i < requests.size(); i++) {
                var r = requests.get(i);
                var insert = inserted.get(i / LAUNCH_BATCH);
                queued.add(pool.submit(() -> {
                    insert.get();
                    return queue.enqueue(r);
                }));
            }
        }
        for (int i = 0; i < ready.size(); i++) {
            var r = requests.get(i);
            try {
                queued.get(i).get();
                outcomes.add(new Outcome(ready.get(i), new Launched(r.runId(), r), null));
            } catch (InterruptedException | ExecutionException e) {
                if (e instanceof InterruptedException) Thread.currentThread().interrupt();
                runs.deleteQueued(r.runId()); // a no-op where the insert itself failed
                outcomes.add(new Outcome(
                        ready.get(i),
                        null,
                        new ServiceUnavailableException("the run was not accepted; retry later ("
                                + (e.getCause() == null ? e : e.getCause()) + ")")));
            }
        }
        return outcomes;
    }

    private static NoDeployedVersionException noDeployedVersion(ScriptRepository.ScriptRow script) {
        return new NoDeployedVersionException("script '" + script.name() + "' has no deployed version yet:"
                + " its first build must finish (see GET /api/scripts/" + script.id() + "/versions)");
    }

    public Launched launchManual(CurrentUser user, UUID scriptId, JsonNode event) {
        var script = scripts.find(user.id(), scriptId)
                .orElseThrow(() -> new dev.cronhook.api.error.ScriptNotFoundException(scriptId));
        ObjectNode body = event != null && event.isObject() ? (ObjectNode) event.deepCopy() : json.createObjectNode();
        return launch(script, TriggerKind.MANUAL, body, null, 1);
    }

    /** Cancels a queued or running run; an executor that holds it kills it, one that has not started skips it. */
    public RunView cancel(CurrentUser user, UUID runId) {
        var run = runs.find(user.id(), runId).orElseThrow(() -> new RunNotFoundException(runId));
        if (run.status().isFinal()) {
            throw new RunNotCancellableException("run " + runId + " has already ended (" + run.status() + ")");
        }
        var sync = redis.sync();
        sync.set(Streams.cancelledKey(runId), "1", SetArgs.Builder.ex(CANCEL_MARK_TTL));
        sync.publish(Streams.CANCEL_CHANNEL, runId.toString());
        if (run.status() == RunStatus.QUEUED) {
            var now = Instant.now();
            runs.finish(runId, RunStatus.CANCELLED, null, null, "cancelled before it started", null, now);
        }
        return runs.find(user.id(), runId).orElseThrow();
    }
}
