package dev.cronhook.api.alert;

import dev.cronhook.api.build.BuildEnds;
import dev.cronhook.api.db.ReadCaches;
import dev.cronhook.api.db.Tx;
import dev.cronhook.api.run.RunEnds;
import dev.cronhook.api.schedule.TickProblems;
import dev.cronhook.api.script.ScriptRepository;
import dev.cronhook.core.run.RunResult;
import dev.cronhook.core.run.RunStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Service;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Turns what goes wrong with a script into incidents and alerts: the first signal opens an incident (one
 * unresolved per script), later ones join it, and the first successful run resolves it. An incident alerts once
 * when its rules say (the first failure, or the Nth in a row) and once on recovery, whatever happens in between.
 * Failures in a row pause the script when its rules say so. Each decision and the alerts it makes are written in
 * one transaction under the script's row lock; sending them is the {@link AlertDispatcher}'s, off this path.
 */
@Service
public class Incidents implements RunEnds, BuildEnds, TickProblems {
    private static final Logger log = LoggerFactory.getLogger(Incidents.class);
    private static final Set<String> RETRIED_TRIGGERS = Set.of("cron", "webhook");

    private final Tx tx;
    private final IncidentRepository incidents;
    private final ChannelRepository channels;
    private final AlertOutbox outbox;
    private final ScriptRepository scripts;
    private final ReadCaches caches;
    private final JsonMapper json;
    private final Environment env;
    private final AlertMetrics metrics;
    private volatile Runnable wake = () -> {};

    public Incidents(
            Tx tx,
            IncidentRepository incidents,
            ChannelRepository channels,
            AlertOutbox outbox,
            ScriptRepository scripts,
            ReadCaches caches,
            JsonMapper json,
            Environment env,
            AlertMetrics metrics) {
        this.tx = tx;
        this.incidents = incidents;
        this.channels = channels;
        this.outbox = outbox;
        this.scripts = scripts;
        this.caches = caches;
        this.json = json;
        this.env = env;
        this.metrics = metrics;
    }

    /** Called with new alerts written, so the dispatcher sends them now rather than at its next look. */
    void onAlertsWritten(Runnable wake) {
        this.wake = wake;
    }

    @Override
    public void ended(List<RunResult> ends, Set<UUID> recordedNow) {
        var ids = new ArrayList<UUID>();
        for (var end : ends) {
            if (end.status().isFinal()) ids.add(end.runId());
        }
        if (ids.isEmpty()) return;
        var facts = new HashMap<UUID, IncidentRepository.RunFacts>();
        for (var f : incidents.facts(ids)) facts.put(f.runId(), f);
        var failedHere = new java.util.HashSet<UUID>();
        for (var end : ends) {
            var f = facts.get(end.runId());
            if (f == null || "try-out".equals(f.trigger())) continue;
            var at = end.finishedAt() == null ? Instant.now() : end.finishedAt();
            if (recordedNow.contains(end.runId())) {
                // counted once, not again for a repeated report
                metrics.runEnded(
                        end.status(),
                        f.trigger(),
                        end.startedAt() == null ? null : Duration.between(end.startedAt(), at));
            }
            try {
                if (end.status() == RunStatus.SUCCEEDED) {
                    if (f.watched() || failedHere.contains(f.scriptId())) recovered(f.scriptId(), end.runId(), at);
                } else if (end.status() == RunStatus.FAILED || end.status() == RunStatus.TIMED_OUT) {
                    var signal = end.status() == RunStatus.TIMED_OUT
                            ? Signal.RUN_TIMED_OUT
                            : end.error() != null && end.error().startsWith("secrets unavailable")
                                    ? Signal.SECRETS_UNAVAILABLE
                                    : Signal.RUN_FAILED;
                    failedHere.add(f.scriptId());
                    runFailed(f, signal, end.error(), at);
                }
            } catch (RuntimeException e) {
                // one run's evaluation failing does not cost the others theirs
                log.warn("could not evaluate the alerts of run {}: {}", end.runId(), e.toString());
            }
        }
    }

    @Override
    public void buildFailed(UUID scriptId, int version, String error) {
        signal(scriptId, Signal.BUILD_FAILED, null, "version " + version + ": " + error, Instant.now(), null);
    }

    @Override
    public void buildEnded(UUID scriptId, int version, dev.cronhook.core.build.BuildState state) {
        metrics.buildEnded(state, incidents.versionAge(scriptId, version));
    }

    @Override
    public void missed(UUID scriptId, int ticks) {
        signal(scriptId, Signal.TICK_MISSED, null, ticks + " tick(s) missed", Instant.now(), null);
    }

    @Override
    public void fired(UUID scriptId, Instant tick, Duration lateness) {
        metrics.cronLateness(lateness);
        // the least tolerance a rule can set is a second: a tick on time costs no look at the rules
        if (lateness.toSeconds() < 1) return;
        signal(
                scriptId,
                Signal.TICK_LATE,
                null,
                "the tick of " + tick + " started " + lateness.toMillis() + " ms late",
                Instant.now(),
                lateness);
    }

    @Override
    public void overlapSkipped(UUID scriptId, Instant tick) {
        signal(
                scriptId,
                Signal.OVERLAP_SKIPPED,
                null,
                "the tick of " + tick + " was skipped: the previous cron run had not ended",
                Instant.now(),
                null);
    }

    private void runFailed(IncidentRepository.RunFacts run, Signal signal, String error, Instant at) {
        signal(run.scriptId(), signal, run, error == null ? signal.words() : error, at, null);
    }

    /**
     * Records one signal: opens or joins the script's incident, counts a failed run once, pauses the script after
     * too many failures in a row, and writes the alerts that makes.
     */
    void signal(
            UUID scriptId,
            Signal signal,
            IncidentRepository.RunFacts run,
            String detail,
            Instant at,
            Duration lateness) {
        boolean[] paused = {false};
        boolean wrote = tx.inTransaction(() -> {
            var script = incidents.lockScript(scriptId).orElse(null);
            if (script == null) return false;
            if (run != null && RETRIED_TRIGGERS.contains(run.trigger()) && run.attempt() < script.retryMaxAttempts()) {
                // another attempt follows: only the failure after the last retry counts
                return false;
            }
            var rules = incidents.rules(scriptId);
            if (!signal.isRun() && !rules.alertsOn(signal)) return false;
            if (signal == Signal.TICK_LATE && lateness.toSeconds() < rules.lateTickSeconds()) return false;
            var incident = incidents.unresolved(scriptId).orElse(null);
            if (incident == null) {
                incident = incidents.open(scriptId, script.ownerId(), signal, signal.words() + ": " + detail, at);
            }
            if (run != null && !incidents.addRun(incident.id(), run.runId(), at)) return false;
            int failures = incident.failures() + (signal.isRun() ? 1 : 0);
            int inARow = script.consecutiveFailures() + (signal.isRun() ? 1 : 0);
            if (signal.isRun()) incidents.setConsecutiveFailures(scriptId, inARow);
            boolean alertNow = !incident.alerted()
                    && rules.alertsOn(signal)
                    && (!signal.isRun() || failures >= rules.consecutiveFailures());
            incidents.counted(incident.id(), signal.isRun(), alertNow, at);
            boolean pauseNow = signal.isRun()
                    && !script.paused()
                    && script.pauseAfterFailures() != null
                    && inARow >= script.pauseAfterFailures();
            if (pauseNow) {
                scripts.setPaused(scriptId, true, "paused after " + inARow + " failed runs in a row");
                paused[0] = true;
            }
            if (!alertNow && !pauseNow) return false;
            var payload = payload(
                    alertNow ? "incident.opened" : "script.paused",
                    script,
                    incident,
                    signal,
                    detail,
                    run == null ? null : run.runId(),
                    failures,
                    script.paused() || pauseNow,
                    pauseNow ? inARow : null);
            return enqueue(script, incident.id(), alertNow ? "incident.opened" : "script.paused", payload, rules) > 0;
        });
        if (paused[0]) caches.clearAll();
        if (wrote) wake.run();
    }

    /** A successful run: resets the failures in a row and resolves the script's incident, alerting its recovery. */
    void recovered(UUID scriptId, UUID runId, Instant at) {
        boolean wrote = tx.inTransaction(() -> {
            var script = incidents.lockScript(scriptId).orElse(null);
            if (script == null) return false;
            if (script.consecutiveFailures() > 0) incidents.setConsecutiveFailures(scriptId, 0);
            var incident = incidents.unresolved(scriptId).orElse(null);
            if (incident == null || !incidents.resolve(incident.id(), "recovery")) return false;
            var rules = incidents.rules(scriptId);
            if (!incident.alerted() || !rules.recovered()) return false;
            var payload = payload(
                    "incident.recovered",
                    script,
                    incident,
                    null,
                    "run " + runId + " succeeded",
                    runId,
                    incident.failures(),
                    script.paused(),
                    null);
            return enqueue(script, incident.id(), "incident.recovered", payload, rules) > 0;
        });
        if (wrote) wake.run();
    }

    /** Writes one delivery per channel the rules name (all of the user's and the script's when they name none). */
    private int enqueue(
            IncidentRepository.ScriptState script,
            UUID incidentId,
            String event,
            ObjectNode payload,
            AlertRules rules) {
        var targets = channels.list(script.ownerId(), script.id()).stream()
                .filter(c -> rules.channels() == null || rules.channels().contains(c.id()))
                // a handler script is not told of its own incidents: its failures would feed it
                .filter(c -> !script.id().equals(c.runScript()))
                .toList();
        String text = json.writeValueAsString(payload);
        for (var c : targets) outbox.add(UUID.randomUUID(), incidentId, c.id(), script.ownerId(), event, text);
        if (targets.isEmpty()) log.info("{} of script {}: no channel to alert", event, script.id());
        return targets.size();
    }

    ObjectNode payload(
            String event,
            IncidentRepository.ScriptState script,
            IncidentRepository.Incident incident,
            Signal signal,
            String detail,
            UUID runId,
            int failures,
            boolean paused,
            Integer pausedAfter) {
        var p = json.createObjectNode();
        p.put("event", event);
        String base = publicUrl();
        String what =
                switch (event) {
                    case "incident.opened" -> "is failing: " + signal.words() + " (" + detail + ")";
                    case "incident.recovered" -> "has recovered after " + failures + " failed run(s)";
                    default -> "was paused after " + pausedAfter + " failed runs in a row";
                };
        String text = "Cronhook: script \"" + script.name() + "\" " + what;
        if (paused && !event.equals("script.paused")) {
            text += pausedAfter != null
                    ? "; it was paused after " + pausedAfter + " failed runs in a row"
                    : "; the script is paused";
        }
        p.put("text", text);
        var s = p.putObject("script");
        s.put("id", script.id().toString());
        s.put("name", script.name());
        s.put("url", base + "/scripts/" + script.id());
        var i = p.putObject("incident");
        i.put("id", incident.id().toString());
        i.put("reason", incident.reason());
        i.put("openedAt", incident.openedAt().toString());
        i.put("failures", failures);
        i.put("url", base + "/api/incidents/" + incident.id());
        if (signal != null) p.put("signal", signal.name());
        if (detail != null) p.put("detail", detail);
        if (runId != null) p.put("runId", runId.toString());
        p.put("paused", paused);
        if (pausedAfter != null) p.put("pausedAfterConsecutiveFailures", pausedAfter);
        p.put("at", Instant.now().toString());
        return p;
    }

    String publicUrl() {
        String base = env.getProperty("cronhook.public-url", "http://127.0.0.1:8080");
        return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }
}
