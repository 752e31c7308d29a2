package dev.cronhook.api.run;

import dev.cronhook.api.db.Blocking;
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
     * A run to launch, of the script's active version: its id, why it runs ({@code trigger}), the event the script
     * receives (trigger, runId and scheduledAt are set on it here), its attempt, the active version's image if the
     * caller knows it (null: looked up), the rate limit it is counted against (null: none) and whether a caller
     * waits for it (then it may go to an executor in this process directly, {@link RunLauncher}). Made by the
     * factories, one per way a run starts.
     */
    public record Launch(
            UUID runId,
            ScriptRepository.ScriptRow script,
            TriggerKind trigger,
            ObjectNode event,
            Instant scheduledAt,
            int attempt,
            String image,
            RunLauncher.RateLimit limit,
            boolean awaited) {

        /** A webhook call's run, counted against the script's rate limit; {@code awaited}: the caller waits for it. */
        public static Launch webhook(
                UUID runId,
                ScriptRepository.ScriptRow script,
                ObjectNode event,
                RunLauncher.RateLimit limit,
                boolean awaited) {
            return new Launch(runId, script, TriggerKind.WEBHOOK, event, null, 1, null, limit, awaited);
        }

        /** A cron tick's run; {@code image} is the active version's when the scheduler looked it up. */
        public static Launch cron(ScriptRepository.ScriptRow script, ObjectNode event, Instant tick, String image) {
            return new Launch(UUID.randomUUID(), script, TriggerKind.CRON, event, tick, 1, image, null, false);
        }

        /** A run started by hand (or by an alert channel, which names its run). */
        public static Launch manual(UUID runId, ScriptRepository.ScriptRow script, ObjectNode event) {
            return new Launch(runId, script, TriggerKind.MANUAL, event, null, 1, null, null, false);
        }

        /** A failed run's next attempt, with its trigger, event and scheduled time. */
        public static Launch retry(
                ScriptRepository.ScriptRow script,
                TriggerKind trigger,
                ObjectNode event,
                Instant scheduledAt,
                int attempt) {
            return new Launch(UUID.randomUUID(), script, trigger, event, scheduledAt, attempt, null, null, false);
        }
    }

    /** Launches a run and waits until it is accepted; throws the reason when it was not. */
    public Launched launch(Launch launch) {
        return join(accept(launch));
    }

    /**
     * Launches a run without waiting: the future completes once the run is accepted (recorded and queued), or fails
     * with the reason it was not (no deployed version, over the rate limit, queue unavailable). What it needs from
     * the database or Redis comes from the read caches when they hold it (then nothing here waits), else from a
     * virtual thread; the caller's thread never blocks.
     */
    public CompletableFuture<Launched> accept(Launch launch) {
        var script = launch.script();
        if (script.activeVersion() == null) {
            // why there is none takes a look at the database: worth it for an answer that says what to do
            return Blocking.supply(() -> noDeployedVersion(script)).thenCompose(CompletableFuture::failedFuture);
        }
        // a deployed version is READY and immutable: caching it is safe
        CompletableFuture<String> image = launch.image() != null
                ? CompletableFuture.completedFuture(launch.image())
                : versions.get(
                                script.id() + "/" + script.activeVersion(),
                                k -> scripts.version(script.id(), script.activeVersion()))
                        .thenApply(version -> version.orElseThrow().imageRef());
        var token = hasSecrets
                .get(secretsKey(script), k -> secrets.hasAny(script.ownerId(), script.id()))
                .thenCompose(needed -> needed
                        // issuing a token is a Redis write: off the caller's thread
                        ? Blocking.supply(() -> issueToken(launch.runId(), script))
                        : CompletableFuture.<String>completedFuture(null));
        return image.thenCombine(token, (i, t) -> prepare(launch, i, t, Instant.now()))
                .thenCompose(launcher::launch)
                .thenApply(request -> new Launched(launch.runId(), request));
    }

    /** The row and the request of a new run of the script's active version. */
    private RunLauncher.NewLaunch prepare(Launch launch, String image, String secretsToken, Instant now) {
        var script = launch.script();
        var runId = launch.runId();
        var event = launch.event();
        event.put("trigger", launch.trigger().wireName());
        event.put("runId", runId.toString());
        if (launch.scheduledAt() != null)
            event.put("scheduledAt", launch.scheduledAt().toString());
        String eventJson = json.writeValueAsString(event);
        int version = script.activeVersion();
        var row = new RunRepository.NewRun(
                runId,
                script.id(),
                script.ownerId(),
                version,
                launch.trigger().wireName(),
                eventJson,
                launch.attempt(),
                launch.scheduledAt(),
                now);
        return new RunLauncher.NewLaunch(
                row, request(row, script, image, secretsToken), launch.limit(), launch.awaited());
    }

    /**
     * The request an executor gets for the run recorded as {@code row}: the row's version, event, trigger and
     * attempt, the image of that version, and its script's limits, egress allow-list and tenant.
     */
    private static RunRequest request(
            RunRepository.NewRun row, ScriptRepository.ScriptRow script, String image, String secretsToken) {
        return new RunRequest(
                row.id(),
                script.id(),
                row.version(),
                image,
                TriggerKind.fromWireName(row.trigger()),
                row.eventJson(),
                script.timeoutSeconds(),
                script.memoryMb(),
                row.attempt(),
                row.queuedAt(),
                secretsToken,
                script.maxConcurrency() == null ? 0 : script.maxConcurrency(),
                script.egress(),
                RunRequest.tenantOf(script.ownerId(), script.environment()));
    }

    /**
     * The requests of runs recorded QUEUED whose requests were lost on the way to the queue, rebuilt from their rows
     * as {@link #accept} built them (a secrets token issued anew); a run whose script or version can no longer run
     * (deleted, or without an image) gets the reason instead.
     */
    public List<Rebuilt> rebuild(List<RunRepository.NewRun> rows) {
        var scriptsById = new java.util.HashMap<UUID, ScriptRepository.ScriptRow>();
        for (var script : scripts.findAnyOwner(
                rows.stream().map(RunRepository.NewRun::scriptId).distinct().toList())) {
            scriptsById.put(script.id(), script);
        }
        var images = scripts.imageRefs(rows.stream()
                .map(r -> Map.entry(r.scriptId(), r.version()))
                .distinct()
                .toList());
        var out = new ArrayList<Rebuilt>(rows.size());
        for (var row : rows) {
            var script = scriptsById.get(row.scriptId());
            var image = images.get(Map.entry(row.scriptId(), row.version()));
            if (script == null) {
                out.add(new Rebuilt(row, null, "its script no longer exists"));
            } else if (image == null) {
                out.add(new Rebuilt(
                        row,
                        null,
                        "version " + row.version() + " of script '" + script.name()
                                + "' can no longer run (it has no image)"));
            } else {
                out.add(new Rebuilt(row, request(row, script, image, secretsToken(row.id(), script)), null));
            }
        }
        return out;
    }

    /** A run's request rebuilt by {@link #rebuild}, or why it cannot run ({@code request} null then). */
    public record Rebuilt(RunRepository.NewRun row, RunRequest request, String cannotRun) {}

    /** What became of one {@link Launch}: the run that was accepted, or why it was not. */
    public record Outcome(Launch launch, Launched launched, RuntimeException failure) {}

    private static String secretsKey(ScriptRepository.ScriptRow script) {
        return script.ownerId() + "/" + script.id();
    }

    private String issueToken(UUID runId, ScriptRepository.ScriptRow script) {
        return tokens.issue(runId, Duration.ofSeconds(script.timeoutSeconds()).plus(TOKEN_SLACK));
    }

    /** A token for the run's secrets, or null when the script's owner keeps none (the executor asks for none). */
    private String secretsToken(UUID runId, ScriptRepository.ScriptRow script) {
        boolean needed = hasSecrets.getNow(secretsKey(script), k -> secrets.hasAny(script.ownerId(), script.id()));
        return needed ? issueToken(runId, script) : null;
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
            prepared.add(prepare(l, image, secretsToken(l.runId(), l.script()), now));
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
        return launch(Launch.manual(UUID.randomUUID(), script, body));
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
    public List<RunView> list(CurrentUser user, RunFilter filter) {
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
