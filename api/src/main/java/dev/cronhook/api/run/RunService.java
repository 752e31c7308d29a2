package dev.cronhook.api.run;

import dev.cronhook.api.db.ReadCache;
import dev.cronhook.api.db.ReadCaches;
import dev.cronhook.api.error.NoDeployedVersionException;
import dev.cronhook.api.error.RunNotCancellableException;
import dev.cronhook.api.error.RunNotFoundException;
import dev.cronhook.api.script.ScriptRepository;
import dev.cronhook.api.secret.RunTokens;
import dev.cronhook.api.secret.SecretService;
import dev.cronhook.api.user.CurrentUser;
import dev.cronhook.core.build.BuildState;
import dev.cronhook.core.run.RunRequest;
import dev.cronhook.core.run.RunSignals;
import dev.cronhook.core.run.RunStatus;
import dev.cronhook.core.run.TriggerKind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
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
    private static final Duration TOKEN_SLACK = Duration.ofHours(1);

    private final RunRepository runs;
    private final ScriptRepository scripts;
    private final RunLauncher launcher;
    private final PublishedRunEnds ends;
    private final RunSignals signals;
    private final JsonMapper json;
    private final RunTokens tokens;
    private final SecretService secrets;
    private final ReadCache<String, Optional<ScriptRepository.VersionRow>> versions;
    private final ReadCache<String, Boolean> hasSecrets;

    public RunService(
            RunRepository runs,
            ScriptRepository scripts,
            RunLauncher launcher,
            PublishedRunEnds ends,
            RunSignals signals,
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
        this.launcher = launcher;
        this.ends = ends;
        this.signals = signals;
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
        return join(launchAsync(runId, script, trigger, event, scheduledAt, attempt));
    }

    /**
     * As {@link #launch}, without waiting for the run to be accepted: the future fails with the problem (no deployed
     * version, queue unavailable) when it was not.
     */
    public CompletableFuture<Launched> launchAsync(
            UUID runId,
            ScriptRepository.ScriptRow script,
            TriggerKind trigger,
            ObjectNode event,
            Instant scheduledAt,
            int attempt) {
        return launch(runId, script, trigger, event, scheduledAt, attempt, null, true);
    }

    /**
     * A webhook call's run, launched as {@link #launchAsync} does and counted against the script's rate limit as it
     * is accepted (the future fails with {@code RateLimitedException} when it is over). With {@code mayBlock}
     * false nothing here waits for the database or Redis: null comes back when it would have to (something it
     * needs is not cached), and the caller asks again from a thread that may block.
     */
    public CompletableFuture<Launched> launchWebhook(
            UUID runId,
            ScriptRepository.ScriptRow script,
            ObjectNode event,
            RunLauncher.RateLimit limit,
            boolean mayBlock) {
        return launch(runId, script, TriggerKind.WEBHOOK, event, null, 1, limit, mayBlock);
    }

    private CompletableFuture<Launched> launch(
            UUID runId,
            ScriptRepository.ScriptRow script,
            TriggerKind trigger,
            ObjectNode event,
            Instant scheduledAt,
            int attempt,
            RunLauncher.RateLimit limit,
            boolean mayBlock) {
        if (script.activeVersion() == null) {
            // why there is none takes a look at the database: worth it for an answer that says what to do
            return mayBlock ? CompletableFuture.failedFuture(noDeployedVersion(script)) : null;
        }
        // a deployed version is READY and immutable: caching it is safe
        String versionKey = script.id() + "/" + script.activeVersion();
        var version = mayBlock
                ? versions.get(versionKey, k -> scripts.version(script.id(), script.activeVersion()))
                : versions.peek(versionKey);
        if (version == null) return null;
        String image = version.orElseThrow().imageRef();
        String token;
        if (mayBlock) {
            token = secretsToken(runId, script);
        } else {
            // issuing a token is a Redis write: a run with secrets is launched from a thread that may block
            Boolean needed = hasSecrets.peek(secretsKey(script));
            if (needed == null || needed) return null;
            token = null;
        }
        var launch = prepare(runId, script, trigger, event, scheduledAt, attempt, image, token, limit, Instant.now());
        return launcher.launch(launch).thenApply(request -> new Launched(runId, request));
    }

    /** The row and the request of a new run of the script's active version. */
    private RunLauncher.NewLaunch prepare(
            UUID runId,
            ScriptRepository.ScriptRow script,
            TriggerKind trigger,
            ObjectNode event,
            Instant scheduledAt,
            int attempt,
            String image,
            String secretsToken,
            RunLauncher.RateLimit limit,
            Instant now) {
        event.put("trigger", trigger.wireName());
        event.put("runId", runId.toString());
        if (scheduledAt != null) event.put("scheduledAt", scheduledAt.toString());
        String eventJson = json.writeValueAsString(event);
        int version = script.activeVersion();
        var row = new RunRepository.NewRun(
                runId,
                script.id(),
                script.ownerId(),
                version,
                trigger.wireName(),
                eventJson,
                attempt,
                scheduledAt,
                now);
        var request = new RunRequest(
                runId,
                script.id(),
                version,
                image,
                trigger,
                eventJson,
                script.timeoutSeconds(),
                script.memoryMb(),
                attempt,
                now,
                secretsToken,
                script.maxConcurrency() == null ? 0 : script.maxConcurrency(),
                script.egress());
        return new RunLauncher.NewLaunch(row, request, limit);
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

    private static String secretsKey(ScriptRepository.ScriptRow script) {
        return script.ownerId() + "/" + script.id();
    }

    /** A token for the run's secrets, or null when the script's owner keeps none (the executor asks for none). */
    private String secretsToken(UUID runId, ScriptRepository.ScriptRow script) {
        boolean needed = hasSecrets.get(secretsKey(script), k -> secrets.hasAny(script.ownerId(), script.id()));
        return needed
                ? tokens.issue(
                        runId, Duration.ofSeconds(script.timeoutSeconds()).plus(TOKEN_SLACK))
                : null;
    }

    /**
     * Launches many runs at once, as {@link #launch} does one: they go to the {@link RunLauncher} together, so
     * they share as few inserts and queue rounds as its batches allow. For the scheduler, whose ticks come in
     * bursts.
     */
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
        var prepared = new ArrayList<RunLauncher.NewLaunch>(ready.size());
        for (var l : ready) {
            var image = l.image() != null
                    ? l.image()
                    : images.get(Map.entry(l.script().id(), l.script().activeVersion()));
            var runId = UUID.randomUUID();
            prepared.add(prepare(
                    runId,
                    l.script(),
                    l.trigger(),
                    l.event(),
                    l.scheduledAt(),
                    l.attempt(),
                    image,
                    secretsToken(runId, l.script()),
                    null,
                    now));
        }
        var accepted = launcher.launchAll(prepared);
        for (int i = 0; i < ready.size(); i++) {
            try {
                var request = join(accepted.get(i));
                outcomes.add(new Outcome(ready.get(i), new Launched(request.runId(), request), null));
            } catch (RuntimeException e) {
                outcomes.add(new Outcome(ready.get(i), null, e));
            }
        }
        return outcomes;
    }

    /** Waits for an accepted run, throwing the reason it was not accepted as it is. */
    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw e;
        }
    }

    /** Why a script cannot run yet: its first build failed (and why), or it has not finished. */
    private NoDeployedVersionException noDeployedVersion(ScriptRepository.ScriptRow script) {
        var latest = scripts.version(script.id(), script.latestVersion());
        if (latest.isPresent() && latest.get().buildState() == BuildState.FAILED) {
            String why = latest.get().buildError() == null
                    ? ""
                    : ": "
                            + latest.get()
                                    .buildError()
                                    .strip()
                                    .lines()
                                    .findFirst()
                                    .orElse("");
            return new NoDeployedVersionException("script '" + script.name() + "' has no deployed version: the build"
                    + " of version " + script.latestVersion() + " failed" + why + ". Fix it and save again (the"
                    + " build's log: GET /api/scripts/" + script.id() + "/versions/" + script.latestVersion()
                    + "/build)");
        }
        return new NoDeployedVersionException("script '" + script.name() + "' has no deployed version yet:"
                + " its first build has not finished (see GET /api/scripts/" + script.id() + "/versions)");
    }

    public Launched launchManual(CurrentUser user, UUID scriptId, JsonNode event) {
        var script = scripts.find(user.id(), scriptId)
                .orElseThrow(() -> new dev.cronhook.api.error.ScriptNotFoundException(scriptId));
        ObjectNode body = event != null && event.isObject() ? (ObjectNode) event.deepCopy() : json.createObjectNode();
        return launch(script, TriggerKind.MANUAL, body, null, 1);
    }

    /**
     * Runs one of the user's runs again, by hand, with the event it had (less what Cronhook set on it: trigger, run
     * id, scheduled time); the new run names the one it replays.
     */
    public Launched replay(CurrentUser user, UUID runId) {
        var run = runs.find(user.id(), runId).orElseThrow(() -> new dev.cronhook.api.error.RunNotFoundException(runId));
        var event = run.event() == null ? json.createObjectNode() : json.readTree(run.event());
        ObjectNode body = event instanceof ObjectNode object ? object : json.createObjectNode();
        body.remove(List.of("trigger", "runId", "scheduledAt"));
        var launched = launchManual(user, run.scriptId(), body);
        runs.markReplayOf(launched.runId(), runId);
        return launched;
    }

    /** One of the user's runs, with its end as soon as its executor has published it. */
    public Optional<RunView> find(CurrentUser user, UUID runId) {
        return runs.find(user.id(), runId).map(ends::over);
    }

    /** The user's runs, each with its end as soon as its executor has published it. */
    public List<RunView> list(CurrentUser user, RunRepository.RunFilter filter) {
        return ends.over(runs.list(user.id(), filter));
    }

    /** Cancels a queued or running run; an executor that holds it kills it, one that has not started skips it. */
    public RunView cancel(CurrentUser user, UUID runId) {
        var run = find(user, runId).orElseThrow(() -> new RunNotFoundException(runId));
        if (run.status().isFinal()) {
            throw new RunNotCancellableException("run " + runId + " has already ended (" + run.status() + ")");
        }
        signals.cancel(runId);
        if (run.status() == RunStatus.QUEUED) {
            var now = Instant.now();
            runs.finish(runId, RunStatus.CANCELLED, null, null, "cancelled before it started", null, now);
        }
        return find(user, runId).orElseThrow();
    }
}
