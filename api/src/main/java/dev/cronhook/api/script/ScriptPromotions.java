package dev.cronhook.api.script;

import dev.cronhook.api.db.ReadCaches;
import dev.cronhook.api.db.Tx;
import dev.cronhook.api.environment.EnvironmentService;
import dev.cronhook.api.error.PromotionFailedException;
import dev.cronhook.api.user.CurrentUser;
import dev.cronhook.core.build.BuildState;
import dev.cronhook.core.validation.Violations;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Service;

/**
 * Promotion: makes the deployed version of scripts of one environment the active version of the same-named scripts
 * of another, with the very image (same digest, no rebuild), and their settings, schedule and alert rules with it.
 * The target script is made when missing (with its own webhook token); a target already running that image gets no
 * new version. The only way to change a protected environment's scripts.
 */
@Service
public class ScriptPromotions {
    /** What a promotion did to one script of the target environment. */
    public record Promoted(String name, UUID id, int version, String imageDigest, boolean changed, String webhookUrl) {}

    private final ScriptRepository scripts;
    private final ScriptService service;
    private final EnvironmentService environments;
    private final Tx tx;
    private final ReadCaches caches;
    private final ObjectProvider<ScheduleChanges> scheduleChanges;

    public ScriptPromotions(
            ScriptRepository scripts,
            ScriptService service,
            EnvironmentService environments,
            Tx tx,
            ReadCaches caches,
            ObjectProvider<ScheduleChanges> scheduleChanges) {
        this.scripts = scripts;
        this.service = service;
        this.environments = environments;
        this.tx = tx;
        this.caches = caches;
        this.scheduleChanges = scheduleChanges;
    }

    /** Promotes {@code names} (empty or null: every script) of {@code from} to {@code to}; all or none. */
    public List<Promoted> promote(CurrentUser user, String from, String to, List<String> names) {
        var v = new Violations();
        if (from == null || from.isBlank()) v.add("from", "is required");
        else if (from.equals(to)) v.add("from", "must differ from the environment promoted to");
        v.throwIfAny();
        environments.require(user.id(), from);
        environments.require(user.id(), to);
        var now = Instant.now();
        var done = tx.inTransaction(() -> {
            var out = new ArrayList<Promoted>();
            for (var source : sources(user, from, names)) {
                if (source.activeVersion() == null) {
                    throw new PromotionFailedException(
                            "script '" + source.name() + "' has no deployed version in " + from + " to promote");
                }
                var version = scripts.version(source.id(), source.activeVersion())
                        .filter(r -> r.buildState() == BuildState.READY && r.imageRef() != null)
                        .orElseThrow(() -> new PromotionFailedException(
                                "the deployed version of '" + source.name() + "' in " + from + " has no image"));
                out.add(promoteOne(user, source, version, to, now));
            }
            return out;
        });
        caches.clearAll();
        var changes = scheduleChanges.getIfAvailable();
        if (changes != null) {
            for (var p : done) changes.changed(p.id(), scripts.nextFireAt(p.id()));
        }
        return done;
    }

    private List<ScriptRepository.ScriptRow> sources(CurrentUser user, String from, List<String> names) {
        if (names == null || names.isEmpty()) return scripts.list(user.id(), from);
        var out = new ArrayList<ScriptRepository.ScriptRow>();
        var missing = new ArrayList<String>();
        for (String name : names.stream().distinct().toList()) {
            scripts.findByName(user.id(), from, name).ifPresentOrElse(out::add, () -> missing.add(name));
        }
        if (!missing.isEmpty()) {
            throw new PromotionFailedException("no script named " + String.join(", ", missing) + " in " + from);
        }
        return out;
    }

    private Promoted promoteOne(
            CurrentUser user,
            ScriptRepository.ScriptRow source,
            ScriptRepository.VersionRow version,
            String to,
            Instant now) {
        var existing = scripts.findByName(user.id(), to, source.name());
        UUID id;
        int next;
        boolean changed;
        if (existing.isEmpty()) {
            id = UUID.randomUUID();
            scripts.insertSettingsCopy(id, source.id(), to, WebhookTokens.next(), now);
            next = 1;
            changed = true;
        } else {
            var target = existing.get();
            id = target.id();
            scripts.copySettings(id, source.id(), now);
            var active = target.activeVersion() == null
                    ? null
                    : scripts.version(id, target.activeVersion()).orElse(null);
            changed = active == null
                    || target.activeVersion() != target.latestVersion()
                    || !Objects.equals(active.imageDigest(), version.imageDigest());
            next = changed ? target.latestVersion() + 1 : target.latestVersion();
        }
        if (changed) {
            scripts.insertBuiltCopy(id, next, version, now);
            scripts.setLatestAndActive(id, next, now);
        }
        var schedule = source.schedule();
        scripts.copySchedule(
                id,
                schedule,
                schedule == null
                        ? null
                        : CronSchedule.of(schedule.expression(), schedule.timezone())
                                .nextAfter(now),
                now);
        scripts.copyAlertRules(id, source.id());
        var row = scripts.find(user.id(), id).orElseThrow();
        return new Promoted(
                source.name(),
                id,
                next,
                version.imageDigest(),
                changed,
                row.webhookEnabled() ? service.webhookUrl(row.webhookToken()) : null);
    }
}
