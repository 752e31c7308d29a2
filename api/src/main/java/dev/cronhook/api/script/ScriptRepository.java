package dev.cronhook.api.script;

import dev.cronhook.core.build.BuildState;
import dev.cronhook.core.net.EgressPolicy;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** Scripts, their immutable versions and their schedules. Every read is scoped to an owner. */
@Repository
public class ScriptRepository {
    /**
     * A script row with its schedule (null when it has none); {@code maxConcurrency} is null for no limit; {@code
     * egress} is its normalized allow-list (empty: no network); {@code environment} the environment it lives in.
     */
    public record ScriptRow(
            UUID id,
            UUID ownerId,
            String name,
            String environment,
            boolean webhookEnabled,
            String webhookToken,
            int timeoutSeconds,
            int memoryMb,
            Integer maxConcurrency,
            int latestVersion,
            Integer activeVersion,
            Instant createdAt,
            Instant updatedAt,
            ScheduleRow schedule,
            RetryPolicy retry,
            EgressPolicy egress,
            Pause pause) {

        public boolean paused() {
            return pause.paused();
        }
    }

    /**
     * Whether a script is paused, since when and why (null when by hand), and after how many final failures in a
     * row it pauses itself (null: never).
     */
    public record Pause(boolean paused, Instant pausedAt, String reason, Integer afterConsecutiveFailures) {}

    /** The schedule of a script. */
    public record ScheduleRow(
            String expression,
            String timezone,
            String overlapPolicy,
            String catchUpPolicy,
            Instant nextFireAt,
            Instant lastFiredAt,
            int missedTicks,
            int skippedTicks) {}

    /**
     * One version of a script's code (its entry), other files (path to text; empty for one file) and dependencies,
     * with what its build reported.
     */
    public record VersionRow(
            UUID scriptId,
            int version,
            String code,
            Map<String, String> dependencies,
            String lockfile,
            BuildState buildState,
            String buildError,
            String buildLog,
            String imageRef,
            String imageDigest,
            Instant createdAt,
            Instant builtAt,
            String language,
            Map<String, String> files) {}

    private static final String SCRIPT_COLUMNS =
            "s.id, s.owner_id, s.name, s.environment, s.webhook_enabled, s.webhook_token,"
                    + " s.timeout_seconds, s.memory_mb, s.max_concurrency, s.latest_version, s.active_version, s.created_at, s.updated_at,"
                    + " s.retry_max_attempts, s.retry_initial_delay_seconds, s.retry_backoff_factor, s.egress_allow,"
                    + " s.paused, s.paused_at, s.paused_reason, s.pause_after_failures, c.skipped_ticks,"
                    + " c.expression, c.timezone, c.overlap_policy, c.catchup_policy, c.next_fire_at, c.last_fired_at,"
                    + " c.missed_ticks";
    private static final String SCRIPT_FROM = " FROM scripts s LEFT JOIN schedules c ON c.script_id = s.id";
    private static final TypeReference<Map<String, String>> DEPENDENCIES = new TypeReference<>() {};
    private static final TypeReference<List<String>> EGRESS = new TypeReference<>() {};

    private final JdbcClient jdbc;
    private final JsonMapper json;

    public ScriptRepository(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    public Optional<ScriptRow> find(UUID ownerId, UUID id) {
        return jdbc.sql("SELECT " + SCRIPT_COLUMNS + SCRIPT_FROM + " WHERE s.id = ? AND s.owner_id = ?")
                .params(id, ownerId)
                .query(this::script)
                .optional();
    }

    public Optional<ScriptRow> findForUpdate(UUID ownerId, UUID id) {
        return jdbc.sql("SELECT " + SCRIPT_COLUMNS
                        + " FROM scripts s LEFT JOIN schedules c ON c.script_id = s.id"
                        + " WHERE s.id = ? AND s.owner_id = ? FOR UPDATE OF s")
                .params(id, ownerId)
                .query(this::script)
                .optional();
    }

    /** Scripts by id, whoever owns them (for the scheduler and retries); missing ids are left out. */
    public List<ScriptRow> findAnyOwner(List<UUID> ids) {
        if (ids.isEmpty()) return List.of();
        String marks = String.join(", ", java.util.Collections.nCopies(ids.size(), "?"));
        return jdbc.sql("SELECT " + SCRIPT_COLUMNS + SCRIPT_FROM + " WHERE s.id IN (" + marks + ")")
                .params(ids.toArray())
                .query(this::script)
                .list();
    }

    /** The image of each (script, version) asked for; missing versions are left out. */
    public Map<Map.Entry<UUID, Integer>, String> imageRefs(List<Map.Entry<UUID, Integer>> versions) {
        var out = new java.util.HashMap<Map.Entry<UUID, Integer>, String>();
        if (versions.isEmpty()) return out;
        String marks = String.join(", ", java.util.Collections.nCopies(versions.size(), "(?, ?)"));
        var params = new java.util.ArrayList<Object>(versions.size() * 2);
        for (var v : versions) {
            params.add(v.getKey());
            params.add(v.getValue());
        }
        jdbc.sql("SELECT script_id, version, image_ref FROM script_versions WHERE (script_id, version) IN (" + marks
                        + ")")
                .params(params)
                .query(rs -> {
                    out.put(Map.entry(rs.getObject(1, UUID.class), rs.getInt(2)), rs.getString(3));
                });
        return out;
    }

    public Optional<ScriptRow> findByWebhookToken(String token) {
        return jdbc.sql("SELECT " + SCRIPT_COLUMNS + SCRIPT_FROM + " WHERE s.webhook_token = ?")
                .param(token)
                .query(this::script)
                .optional();
    }

    public List<ScriptRow> list(UUID ownerId) {
        return jdbc.sql("SELECT " + SCRIPT_COLUMNS + SCRIPT_FROM
                        + " WHERE s.owner_id = ? ORDER BY s.name, s.environment")
                .param(ownerId)
                .query(this::script)
                .list();
    }

    /** The owner's scripts in one environment, by name. */
    public List<ScriptRow> list(UUID ownerId, String environment) {
        return jdbc.sql("SELECT " + SCRIPT_COLUMNS + SCRIPT_FROM
                        + " WHERE s.owner_id = ? AND s.environment = ? ORDER BY s.name")
                .params(ownerId, environment)
                .query(this::script)
                .list();
    }

    public Optional<ScriptRow> findByName(UUID ownerId, String environment, String name) {
        return jdbc.sql("SELECT " + SCRIPT_COLUMNS + SCRIPT_FROM
                        + " WHERE s.owner_id = ? AND s.environment = ? AND s.name = ?")
                .params(ownerId, environment, name)
                .query(this::script)
                .optional();
    }

    /** How many scripts the owner has in {@code environment}. */
    public long countIn(UUID ownerId, String environment) {
        return jdbc.sql("SELECT count(*) FROM scripts WHERE owner_id = ? AND environment = ?")
                .params(ownerId, environment)
                .query(Long.class)
                .single();
    }

    public boolean nameTaken(UUID ownerId, String environment, String name, UUID except) {
        return jdbc.sql("SELECT count(*) FROM scripts WHERE owner_id = ? AND environment = ? AND name = ? AND id <> ?")
                        .params(ownerId, environment, name, except)
                        .query(Long.class)
                        .single()
                > 0;
    }

    public void insertScript(UUID id, UUID ownerId, ScriptDraft d, String webhookToken, Instant now) {
        jdbc.sql("INSERT INTO scripts (id, owner_id, name, environment, webhook_enabled, webhook_token,"
                        + " timeout_seconds, memory_mb, max_concurrency, latest_version, active_version, created_at,"
                        + " updated_at, retry_max_attempts, retry_initial_delay_seconds, retry_backoff_factor,"
                        + " egress_allow) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, NULL, ?, ?, ?, ?, ?, CAST(? AS JSONB))")
                .params(
                        id,
                        ownerId,
                        d.name(),
                        d.environment(),
                        d.webhook(),
                        webhookToken,
                        d.timeoutSeconds(),
                        d.memoryMb(),
                        d.maxConcurrency(),
                        Timestamp.from(now),
                        Timestamp.from(now),
                        d.retry().maxAttempts(),
                        d.retry().initialDelaySeconds(),
                        d.retry().factor(),
                        json.writeValueAsString(d.egress().allow()))
                .update();
    }

    public void updateScript(UUID id, ScriptDraft d, int latestVersion, Instant now) {
        jdbc.sql("UPDATE scripts SET name = ?, webhook_enabled = ?, timeout_seconds = ?, memory_mb = ?,"
                        + " max_concurrency = ?, latest_version = ?, updated_at = ?, retry_max_attempts = ?,"
                        + " retry_initial_delay_seconds = ?, retry_backoff_factor = ?, egress_allow = CAST(? AS JSONB)"
                        + " WHERE id = ?")
                .params(
                        d.name(),
                        d.webhook(),
                        d.timeoutSeconds(),
                        d.memoryMb(),
                        d.maxConcurrency(),
                        latestVersion,
                        Timestamp.from(now),
                        d.retry().maxAttempts(),
                        d.retry().initialDelaySeconds(),
                        d.retry().factor(),
                        json.writeValueAsString(d.egress().allow()),
                        id)
                .update();
    }

    public void insertVersion(UUID scriptId, int version, ScriptDraft d, Instant now) {
        jdbc.sql("INSERT INTO script_versions (script_id, version, code, dependencies, build_state, created_at,"
                        + " language, files) VALUES (?, ?, ?, CAST(? AS JSONB), 'QUEUED', ?, ?, CAST(? AS JSONB))")
                .params(
                        scriptId,
                        version,
                        d.code(),
                        json.writeValueAsString(d.dependencies()),
                        Timestamp.from(now),
                        d.language(),
                        filesJson(d.files()))
                .update();
    }

    /**
     * Writes {@code source} (another script's version) as {@code version} of this script, built already: the same
     * code, files, dependencies, lockfile and the very image (ref and digest), READY. A promotion.
     */
    public void insertBuiltCopy(UUID scriptId, int version, VersionRow source, Instant now) {
        jdbc.sql("INSERT INTO script_versions (script_id, version, code, dependencies, lockfile, build_state,"
                        + " build_log, image_ref, image_digest, created_at, built_at, language, files)"
                        + " VALUES (?, ?, ?, CAST(? AS JSONB), ?, 'READY', ?, ?, ?, ?, ?, ?, CAST(? AS JSONB))")
                .params(
                        scriptId,
                        version,
                        source.code(),
                        json.writeValueAsString(source.dependencies()),
                        source.lockfile(),
                        "promoted from " + source.scriptId() + " v" + source.version() + " (" + source.imageDigest()
                                + "), not rebuilt",
                        source.imageRef(),
                        source.imageDigest(),
                        Timestamp.from(now),
                        Timestamp.from(now),
                        source.language(),
                        filesJson(source.files()))
                .update();
    }

    private static final String SETTINGS = "webhook_enabled, timeout_seconds, memory_mb, max_concurrency,"
            + " retry_max_attempts, retry_initial_delay_seconds, retry_backoff_factor, egress_allow,"
            + " pause_after_failures";

    /**
     * Makes script {@code id} in {@code environment} a copy of script {@code sourceId}'s settings (name, trigger,
     * limits, retries, egress, self-pause) with its own webhook token and no version yet.
     */
    public void insertSettingsCopy(UUID id, UUID sourceId, String environment, String webhookToken, Instant now) {
        jdbc.sql("INSERT INTO scripts (id, owner_id, name, environment, webhook_token, latest_version, active_version,"
                        + " created_at, updated_at, " + SETTINGS + ") SELECT ?, owner_id, name, ?, ?, 0, NULL, ?, ?, "
                        + SETTINGS + " FROM scripts WHERE id = ?")
                .params(id, environment, webhookToken, Timestamp.from(now), Timestamp.from(now), sourceId)
                .update();
    }

    /** Gives script {@code id} script {@code sourceId}'s settings, as {@link #insertSettingsCopy} does. */
    public void copySettings(UUID id, UUID sourceId, Instant now) {
        var assignments = java.util.Arrays.stream(SETTINGS.split(","))
                .map(String::strip)
                .map(c -> c + " = src." + c)
                .collect(java.util.stream.Collectors.joining(", "));
        jdbc.sql("UPDATE scripts SET " + assignments + ", updated_at = ? FROM scripts src"
                        + " WHERE scripts.id = ? AND src.id = ?")
                .params(Timestamp.from(now), id, sourceId)
                .update();
    }

    /** Gives script {@code id} script {@code sourceId}'s alert rules (none when it has none). */
    public void copyAlertRules(UUID id, UUID sourceId) {
        jdbc.sql("DELETE FROM alert_rules WHERE script_id = ?").param(id).update();
        jdbc.sql("INSERT INTO alert_rules (script_id, rules, updated_at) SELECT ?, rules, now() FROM alert_rules"
                        + " WHERE script_id = ?")
                .params(id, sourceId)
                .update();
    }

    /** Makes {@code version} the latest and the active version at once (a promoted, built version). */
    public void setLatestAndActive(UUID id, int version, Instant now) {
        jdbc.sql("UPDATE scripts SET latest_version = ?, active_version = ?, updated_at = ? WHERE id = ?")
                .params(version, version, Timestamp.from(now), id)
                .update();
    }

    /** Gives script {@code id} the schedule {@code source} (its next fire time anew), or none when null. */
    public void copySchedule(UUID id, ScheduleRow source, Instant nextFireAt, Instant now) {
        if (source == null) deleteSchedule(id);
        else {
            upsertSchedule(
                    id,
                    source.expression(),
                    source.timezone(),
                    source.overlapPolicy(),
                    source.catchUpPolicy(),
                    nextFireAt,
                    now);
        }
    }

    private String filesJson(Map<String, String> files) {
        return files == null || files.isEmpty() ? null : json.writeValueAsString(new java.util.TreeMap<>(files));
    }

    public void upsertSchedule(UUID scriptId, ScriptDraft d, Instant nextFireAt, Instant now) {
        upsertSchedule(
                scriptId,
                d.cron().expression(),
                d.cron().zone().getId(),
                d.overlapPolicy(),
                d.catchUpPolicy(),
                nextFireAt,
                now);
    }

    private void upsertSchedule(
            UUID scriptId,
            String expression,
            String timezone,
            String overlapPolicy,
            String catchUpPolicy,
            Instant nextFireAt,
            Instant now) {
        jdbc.sql("INSERT INTO schedules (script_id, expression, timezone, overlap_policy, catchup_policy,"
                        + " next_fire_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
                        + " ON CONFLICT (script_id) DO UPDATE SET expression = excluded.expression,"
                        + " timezone = excluded.timezone, overlap_policy = excluded.overlap_policy,"
                        + " catchup_policy = excluded.catchup_policy, next_fire_at = excluded.next_fire_at,"
                        + " updated_at = excluded.updated_at")
                .params(
                        scriptId,
                        expression,
                        timezone,
                        overlapPolicy,
                        catchUpPolicy,
                        nextFireAt == null ? null : Timestamp.from(nextFireAt),
                        Timestamp.from(now))
                .update();
    }

    /** The committed next fire time of a script's schedule; null when it has none. */
    public Instant nextFireAt(UUID scriptId) {
        return jdbc
                .sql("SELECT next_fire_at FROM schedules WHERE script_id = ?")
                .param(scriptId)
                .query((rs, n) -> instant(rs, "next_fire_at"))
                .list()
                .stream()
                .filter(java.util.Objects::nonNull)
                .findFirst()
                .orElse(null);
    }

    public void deleteSchedule(UUID scriptId) {
        jdbc.sql("DELETE FROM schedules WHERE script_id = ?").param(scriptId).update();
    }

    public boolean delete(UUID ownerId, UUID id) {
        return jdbc.sql("DELETE FROM scripts WHERE id = ? AND owner_id = ?")
                        .params(id, ownerId)
                        .update()
                > 0;
    }

    /** The active version of a script, whoever owns it (for the workers that record results). */
    public record ActiveVersion(UUID id, Integer activeVersion, int latestVersion) {}

    public Optional<ActiveVersion> activeVersionOf(UUID id) {
        return jdbc.sql("SELECT id, active_version, latest_version FROM scripts WHERE id = ?")
                .param(id)
                .query((rs, n) -> new ActiveVersion(
                        rs.getObject("id", UUID.class),
                        rs.getObject("active_version", Integer.class),
                        rs.getInt("latest_version")))
                .optional();
    }

    /** Makes {@code version} active unless a newer one is active already; returns whether it did. */
    public boolean activateIfNewer(UUID id, int version) {
        return jdbc.sql("UPDATE scripts SET active_version = ?, updated_at = now() WHERE id = ?"
                                + " AND (active_version IS NULL OR active_version < ?)")
                        .params(version, id, version)
                        .update()
                > 0;
    }

    public void setActiveVersion(UUID id, int version) {
        jdbc.sql("UPDATE scripts SET active_version = ?, updated_at = now() WHERE id = ?")
                .params(version, id)
                .update();
    }

    /** Pauses (with why, null when by hand) or resumes a script; returns whether its state changed. */
    public boolean setPaused(UUID id, boolean paused, String reason) {
        return jdbc.sql("UPDATE scripts SET paused = ?, paused_at = CASE WHEN ? THEN now() END, paused_reason = ?,"
                                + " updated_at = now() WHERE id = ? AND paused <> ?")
                        .params(paused, paused, paused ? reason : null, id, paused)
                        .update()
                > 0;
    }

    /** After how many final failures in a row the script pauses itself; null for never. */
    public void setPauseAfterFailures(UUID id, Integer failures) {
        jdbc.sql("UPDATE scripts SET pause_after_failures = ? WHERE id = ?")
                .params(failures, id)
                .update();
    }

    public void setWebhookToken(UUID id, String token) {
        jdbc.sql("UPDATE scripts SET webhook_token = ?, updated_at = now() WHERE id = ?")
                .params(token, id)
                .update();
    }

    public List<VersionRow> versions(UUID scriptId) {
        return jdbc.sql("SELECT * FROM script_versions WHERE script_id = ? ORDER BY version DESC")
                .param(scriptId)
                .query(this::version)
                .list();
    }

    public Optional<VersionRow> version(UUID scriptId, int version) {
        return jdbc.sql("SELECT * FROM script_versions WHERE script_id = ? AND version = ?")
                .params(scriptId, version)
                .query(this::version)
                .optional();
    }

    /** Records what a builder reported; a final state is never overwritten by a late non-final one. */
    public int recordBuild(
            UUID scriptId,
            int version,
            BuildState state,
            String lockfile,
            String imageRef,
            String imageDigest,
            String error,
            String log,
            Instant at) {
        return jdbc.sql("UPDATE script_versions SET build_state = ?, lockfile = COALESCE(?, lockfile),"
                        + " image_ref = COALESCE(?, image_ref), image_digest = COALESCE(?, image_digest),"
                        + " build_error = ?, build_log = COALESCE(?, build_log),"
                        + " built_at = CASE WHEN ? IN ('READY', 'FAILED') THEN ? ELSE built_at END"
                        + " WHERE script_id = ? AND version = ? AND build_state NOT IN ('READY', 'FAILED')")
                .params(
                        state.name(),
                        lockfile,
                        imageRef,
                        imageDigest,
                        error,
                        log,
                        state.name(),
                        Timestamp.from(at),
                        scriptId,
                        version)
                .update();
    }

    private ScriptRow script(ResultSet rs, int n) throws SQLException {
        ScheduleRow schedule = rs.getString("expression") == null
                ? null
                : new ScheduleRow(
                        rs.getString("expression"),
                        rs.getString("timezone"),
                        rs.getString("overlap_policy"),
                        rs.getString("catchup_policy"),
                        instant(rs, "next_fire_at"),
                        instant(rs, "last_fired_at"),
                        rs.getInt("missed_ticks"),
                        rs.getInt("skipped_ticks"));
        Integer active = rs.getObject("active_version", Integer.class);
        return new ScriptRow(
                rs.getObject("id", UUID.class),
                rs.getObject("owner_id", UUID.class),
                rs.getString("name"),
                rs.getString("environment"),
                rs.getBoolean("webhook_enabled"),
                rs.getString("webhook_token"),
                rs.getInt("timeout_seconds"),
                rs.getInt("memory_mb"),
                rs.getObject("max_concurrency", Integer.class),
                rs.getInt("latest_version"),
                active,
                instant(rs, "created_at"),
                instant(rs, "updated_at"),
                schedule,
                new RetryPolicy(
                        rs.getInt("retry_max_attempts"),
                        rs.getInt("retry_initial_delay_seconds"),
                        rs.getDouble("retry_backoff_factor")),
                new EgressPolicy(json.readValue(rs.getString("egress_allow"), EGRESS)),
                new Pause(
                        rs.getBoolean("paused"),
                        instant(rs, "paused_at"),
                        rs.getString("paused_reason"),
                        rs.getObject("pause_after_failures", Integer.class)));
    }

    private VersionRow version(ResultSet rs, int n) throws SQLException {
        return new VersionRow(
                rs.getObject("script_id", UUID.class),
                rs.getInt("version"),
                rs.getString("code"),
                json.readValue(rs.getString("dependencies"), DEPENDENCIES),
                rs.getString("lockfile"),
                BuildState.valueOf(rs.getString("build_state")),
                rs.getString("build_error"),
                rs.getString("build_log"),
                rs.getString("image_ref"),
                rs.getString("image_digest"),
                instant(rs, "created_at"),
                instant(rs, "built_at"),
                rs.getString("language"),
                // sorted by path (JSONB keeps its own key order)
                rs.getString("files") == null
                        ? Map.of()
                        : new java.util.TreeMap<>(json.readValue(rs.getString("files"), DEPENDENCIES)));
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
