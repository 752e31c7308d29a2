package dev.cronhook.api.script;

import dev.cronhook.api.db.ReadCaches;
import dev.cronhook.api.db.Tx;
import dev.cronhook.api.environment.EnvironmentService;
import dev.cronhook.api.error.ScriptNameTakenException;
import dev.cronhook.api.error.ScriptNotFoundException;
import dev.cronhook.api.error.VersionNotFoundException;
import dev.cronhook.api.error.VersionNotReadyException;
import dev.cronhook.api.user.CurrentUser;
import dev.cronhook.core.build.BuildRequest;
import dev.cronhook.core.build.BuildState;
import dev.cronhook.core.queue.WorkQueue;
import dev.cronhook.core.validation.Violations;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Service;

/**
 * Creates, changes and deploys scripts; a change of code or dependencies makes a new version and a build, a change of
 * a setting (limits, triggers, egress) does not and holds from the next run.
 */
@Service
public class ScriptService {
    private static final Logger log = LoggerFactory.getLogger(ScriptService.class);

    private final ScriptRepository scripts;
    private final Tx tx;
    private final ScriptLimits limits;
    private final WorkQueue<BuildRequest> builds;
    private final Environment env;
    private final ReadCaches caches;
    private final ObjectProvider<ScheduleChanges> scheduleChanges;
    private final EnvironmentService environments;

    public ScriptService(
            ScriptRepository scripts,
            Tx tx,
            ScriptLimits limits,
            WorkQueue<BuildRequest> builds,
            Environment env,
            ReadCaches caches,
            ObjectProvider<ScheduleChanges> scheduleChanges,
            EnvironmentService environments) {
        this.environments = environments;
        this.caches = caches;
        this.scheduleChanges = scheduleChanges;
        this.scripts = scripts;
        this.tx = tx;
        this.limits = limits;
        this.builds = builds;
        this.env = env;
    }

    public ScriptView create(CurrentUser user, ScriptRequest request) {
        var draft = ScriptDraft.validate(request, limits);
        var id = UUID.randomUUID();
        var now = Instant.now();
        environments.requireChangeable(user.id(), draft.environment());
        tx.inTransaction(() -> {
            if (scripts.nameTaken(user.id(), draft.environment(), draft.name(), id)) {
                throw new ScriptNameTakenException(draft.name(), draft.environment());
            }
            scripts.insertScript(id, user.id(), draft, WebhookTokens.next(), now);
            scripts.insertVersion(id, 1, draft, now);
            if (draft.cron() != null)
                scripts.upsertSchedule(id, draft, draft.cron().nextAfter(now), now);
        });
        requestBuild(id, 1, draft, null);
        if (draft.cron() != null) scheduleChanged(id);
        return get(user, id);
    }

    public ScriptView update(CurrentUser user, UUID id, ScriptRequest request) {
        var draft = ScriptDraft.validate(request, limits);
        var now = Instant.now();
        boolean[] scheduleChanged = {false};
        int newVersion = tx.inTransaction(() -> {
            var current = scripts.findForUpdate(user.id(), id).orElseThrow(() -> new ScriptNotFoundException(id));
            if (request.environment() != null
                    && !request.environment().isBlank()
                    && !current.environment().equals(draft.environment())) {
                new Violations()
                        .add(
                                "environment",
                                "is " + current.environment() + " and cannot change; promote the script to "
                                        + draft.environment() + " instead")
                        .throwIfAny();
            }
            environments.requireChangeable(user.id(), current.environment());
            if (scripts.nameTaken(user.id(), current.environment(), draft.name(), id)) {
                throw new ScriptNameTakenException(draft.name(), current.environment());
            }
            var latest = scripts.version(id, current.latestVersion()).orElseThrow();
            boolean changed = !latest.code().equals(draft.code())
                    || !latest.files().equals(draft.files())
                    || !latest.dependencies().equals(draft.dependencies())
                    || !draft.language().equals(latest.language());
            int version = changed ? current.latestVersion() + 1 : current.latestVersion();
            if (changed) scripts.insertVersion(id, version, draft, now);
            scripts.updateScript(id, draft, version, now);
            scheduleChanged[0] =
                    draft.cron() == null ? current.schedule() != null : !sameSchedule(current.schedule(), draft);
            if (draft.cron() == null) scripts.deleteSchedule(id);
            else if (!sameSchedule(current.schedule(), draft)) {
                scripts.upsertSchedule(id, draft, draft.cron().nextAfter(now), now);
            }
            return changed ? version : 0;
        });
        caches.clearAll();
        if (newVersion > 0) requestBuild(id, newVersion, draft, null);
        if (scheduleChanged[0]) scheduleChanged(id);
        return get(user, id);
    }

    private static boolean sameSchedule(ScriptRepository.ScheduleRow s, ScriptDraft d) {
        return s != null
                && s.expression().equals(d.cron().expression())
                && s.timezone().equals(d.cron().zone().getId())
                && s.overlapPolicy().equals(d.overlapPolicy())
                && s.catchUpPolicy().equals(d.catchUpPolicy());
    }

    /** Tells the scheduler the schedule's committed next fire time (null: gone); it reconciles if this fails. */
    private void scheduleChanged(UUID id) {
        var changes = scheduleChanges.getIfAvailable();
        if (changes == null) return;
        try {
            var next = scripts.nextFireAt(id);
            changes.changed(id, next);
        } catch (RuntimeException e) {
            log.warn(
                    "could not tell the scheduler that the schedule of {} changed; reconciliation will: {}",
                    id,
                    e.toString());
        }
    }

    /** Puts a build on the queue; if Redis is down the version stays QUEUED and the reconciler retries. */
    void requestBuild(UUID scriptId, int version, ScriptDraft draft, String lockfile) {
        try {
            builds.enqueue(new BuildRequest(
                    scriptId,
                    version,
                    draft.code(),
                    draft.dependencies(),
                    lockfile,
                    Instant.now(),
                    draft.language(),
                    draft.files()));
        } catch (RuntimeException e) {
            log.warn(
                    "could not queue the build of {} v{} now; it will be retried: {}", scriptId, version, e.toString());
        }
    }

    public ScriptView get(CurrentUser user, UUID id) {
        var row = scripts.find(user.id(), id).orElseThrow(() -> new ScriptNotFoundException(id));
        var latest = scripts.version(id, row.latestVersion()).orElseThrow();
        return view(row, latest);
    }

    public List<ScriptView> list(CurrentUser user) {
        return list(user, null);
    }

    /** The user's scripts in {@code environment} (checked to be theirs), or in every environment when null. */
    public List<ScriptView> list(CurrentUser user, String environment) {
        if (environment != null) environments.require(user.id(), environment);
        var rows = environment == null ? scripts.list(user.id()) : scripts.list(user.id(), environment);
        return rows.stream()
                .map(row ->
                        view(row, scripts.version(row.id(), row.latestVersion()).orElseThrow()))
                .toList();
    }

    public void delete(CurrentUser user, UUID id) {
        var row = scripts.find(user.id(), id).orElseThrow(() -> new ScriptNotFoundException(id));
        environments.requireChangeable(user.id(), row.environment());
        if (!scripts.delete(user.id(), id)) throw new ScriptNotFoundException(id);
        caches.clearAll();
        scheduleChanged(id);
    }

    public List<VersionView> versions(CurrentUser user, UUID id) {
        var row = scripts.find(user.id(), id).orElseThrow(() -> new ScriptNotFoundException(id));
        return scripts.versions(id).stream()
                .map(v -> VersionView.of(v, row.activeVersion()))
                .toList();
    }

    public ScriptRepository.VersionRow version(CurrentUser user, UUID id, int version) {
        scripts.find(user.id(), id).orElseThrow(() -> new ScriptNotFoundException(id));
        return scripts.version(id, version).orElseThrow(() -> new VersionNotFoundException(version));
    }

    public ScriptView deploy(CurrentUser user, UUID id, int version) {
        tx.inTransaction(() -> {
            var row = scripts.findForUpdate(user.id(), id).orElseThrow(() -> new ScriptNotFoundException(id));
            environments.requireChangeable(user.id(), row.environment());
            var v = scripts.version(id, version).orElseThrow(() -> new VersionNotFoundException(version));
            if (v.buildState() != BuildState.READY) {
                throw new VersionNotReadyException("version " + version + " cannot be deployed: its build is "
                        + v.buildState() + (v.buildState() == BuildState.FAILED ? " (" + v.buildError() + ")" : "")
                        + "; only a READY version can be deployed");
            }
            scripts.setActiveVersion(id, version);
        });
        caches.clearAll();
        return get(user, id);
    }

    /**
     * Pauses the script (its webhook answers 409, its cron ticks are skipped; manual runs still work) or resumes
     * it. Idempotent.
     */
    public ScriptView setPaused(CurrentUser user, UUID id, boolean paused) {
        tx.inTransaction(() -> {
            scripts.findForUpdate(user.id(), id).orElseThrow(() -> new ScriptNotFoundException(id));
            scripts.setPaused(id, paused, null);
        });
        caches.clearAll();
        return get(user, id);
    }

    public ScriptView rotateWebhook(CurrentUser user, UUID id) {
        tx.inTransaction(() -> {
            scripts.findForUpdate(user.id(), id).orElseThrow(() -> new ScriptNotFoundException(id));
            scripts.setWebhookToken(id, WebhookTokens.next());
        });
        caches.clearAll();
        return get(user, id);
    }

    public String webhookUrl(String token) {
        // read each time: with server.port=0 the real port is known only once the server has started
        String base = env.getProperty("cronhook.public-url", "http://127.0.0.1:8080");
        return (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/hooks/" + token;
    }

    ScriptView view(ScriptRepository.ScriptRow row, ScriptRepository.VersionRow latest) {
        ScriptView.CronView cron = null;
        if (row.schedule() != null) {
            var s = row.schedule();
            var schedule = CronSchedule.of(s.expression(), s.timezone());
            cron = new ScriptView.CronView(
                    s.expression(),
                    s.timezone(),
                    s.overlapPolicy(),
                    s.catchUpPolicy(),
                    schedule.next(5, Instant.now()),
                    s.lastFiredAt(),
                    s.missedTicks(),
                    s.skippedTicks());
        }
        var runtime = dev.cronhook.core.harness.LanguageRuntime.of(latest.language());
        var files = new java.util.LinkedHashMap<String, String>();
        files.put(runtime.entryFile(), latest.code());
        files.putAll(latest.files());
        return new ScriptView(
                row.id(),
                row.name(),
                row.environment(),
                row.latestVersion(),
                row.activeVersion(),
                latest.code(),
                latest.dependencies(),
                row.webhookEnabled(),
                row.webhookEnabled() ? webhookUrl(row.webhookToken()) : null,
                cron,
                row.timeoutSeconds(),
                row.memoryMb(),
                row.maxConcurrency(),
                latest.buildState(),
                row.createdAt(),
                row.updatedAt(),
                row.retry(),
                row.egress(),
                row.paused(),
                row.pause().pausedAt(),
                row.pause().reason(),
                latest.language(),
                files);
    }
}
