package dev.cronhook.api.alert;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.json.JsonMapper;

/** Incidents, their runs, and the alert rules of scripts. */
@Repository
public class IncidentRepository {
    /** One incident: a script failing from its first failure until a success, or a user, resolves it. */
    public record Incident(
            UUID id,
            UUID scriptId,
            UUID ownerId,
            String status,
            String reason,
            String summary,
            int failures,
            int signals,
            boolean alerted,
            Instant openedAt,
            Instant lastSignalAt,
            Instant acknowledgedAt,
            Instant resolvedAt,
            String resolvedBy) {}

    /** What the alerting needs of a script, read under its row lock. */
    public record ScriptState(
            UUID id,
            UUID ownerId,
            String name,
            boolean paused,
            Integer pauseAfterFailures,
            int consecutiveFailures,
            int retryMaxAttempts) {}

    private final JdbcClient jdbc;
    private final JsonMapper json;

    public IncidentRepository(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    public Optional<ScriptState> lockScript(UUID scriptId) {
        return jdbc.sql("SELECT id, owner_id, name, paused, pause_after_failures, consecutive_failures,"
                        + " retry_max_attempts FROM scripts WHERE id = ? FOR UPDATE")
                .param(scriptId)
                .query((rs, n) -> new ScriptState(
                        rs.getObject("id", UUID.class),
                        rs.getObject("owner_id", UUID.class),
                        rs.getString("name"),
                        rs.getBoolean("paused"),
                        rs.getObject("pause_after_failures", Integer.class),
                        rs.getInt("consecutive_failures"),
                        rs.getInt("retry_max_attempts")))
                .optional();
    }

    public void setConsecutiveFailures(UUID scriptId, int failures) {
        jdbc.sql("UPDATE scripts SET consecutive_failures = ? WHERE id = ?")
                .params(failures, scriptId)
                .update();
    }

    public Optional<Incident> unresolved(UUID scriptId) {
        return jdbc.sql("SELECT * FROM incidents WHERE script_id = ? AND status <> 'resolved'")
                .param(scriptId)
                .query(IncidentRepository::incident)
                .optional();
    }

    public Incident open(UUID scriptId, UUID ownerId, Signal reason, String summary, Instant at) {
        var id = UUID.randomUUID();
        jdbc.sql("INSERT INTO incidents (id, script_id, owner_id, status, reason, summary, opened_at, last_signal_at)"
                        + " VALUES (?, ?, ?, 'open', ?, ?, ?, ?)")
                .params(id, scriptId, ownerId, reason.name(), summary, Timestamp.from(at), Timestamp.from(at))
                .update();
        return unresolved(scriptId).orElseThrow();
    }

    /** Attaches a failed run to an incident; false when it was attached before (a repeated report). */
    public boolean addRun(UUID incidentId, UUID runId, Instant at) {
        return jdbc.sql("INSERT INTO incident_runs (run_id, incident_id, at) VALUES (?, ?, ?)"
                                + " ON CONFLICT (run_id) DO NOTHING")
                        .params(runId, incidentId, Timestamp.from(at))
                        .update()
                > 0;
    }

    public void counted(UUID incidentId, boolean run, boolean alerted, Instant at) {
        jdbc.sql("UPDATE incidents SET failures = failures + ?, signals = signals + 1, last_signal_at = ?,"
                        + " alerted = alerted OR ? WHERE id = ?")
                .params(run ? 1 : 0, Timestamp.from(at), alerted, incidentId)
                .update();
    }

    public boolean resolve(UUID incidentId, String by) {
        return jdbc.sql("UPDATE incidents SET status = 'resolved', resolved_at = now(), resolved_by = ?"
                                + " WHERE id = ? AND status <> 'resolved'")
                        .params(by, incidentId)
                        .update()
                > 0;
    }

    public boolean acknowledge(UUID ownerId, UUID incidentId) {
        return jdbc.sql("UPDATE incidents SET status = 'acknowledged', acknowledged_at = now()"
                                + " WHERE id = ? AND owner_id = ? AND status = 'open'")
                        .params(incidentId, ownerId)
                        .update()
                > 0;
    }

    public Optional<Incident> find(UUID ownerId, UUID id) {
        return jdbc.sql("SELECT * FROM incidents WHERE id = ? AND owner_id = ?")
                .params(id, ownerId)
                .query(IncidentRepository::incident)
                .optional();
    }

    public Optional<Incident> findAnyOwner(UUID id) {
        return jdbc.sql("SELECT * FROM incidents WHERE id = ?")
                .param(id)
                .query(IncidentRepository::incident)
                .optional();
    }

    public List<Incident> list(UUID ownerId, UUID scriptId, String status, int limit) {
        var sql = new StringBuilder("SELECT * FROM incidents WHERE owner_id = ?");
        var params = new ArrayList<Object>();
        params.add(ownerId);
        if (scriptId != null) {
            sql.append(" AND script_id = ?");
            params.add(scriptId);
        }
        if (status != null) {
            sql.append(" AND status = ?");
            params.add(status);
        }
        sql.append(" ORDER BY opened_at DESC, id LIMIT ").append(limit);
        return jdbc.sql(sql.toString())
                .params(params)
                .query(IncidentRepository::incident)
                .list();
    }

    public List<UUID> runIds(UUID incidentId) {
        return jdbc.sql("SELECT run_id FROM incident_runs WHERE incident_id = ? ORDER BY at, run_id")
                .param(incidentId)
                .query((rs, n) -> rs.getObject(1, UUID.class))
                .list();
    }

    /** What the alerting needs to know of ended runs, in one query for a batch. */
    public record RunFacts(UUID runId, UUID scriptId, String trigger, int attempt, boolean watched) {}

    /**
     * For each run id: its script, trigger, attempt, and whether its script is {@code watched} (has failures in a
     * row or an unresolved incident, so a success ends something).
     */
    public List<RunFacts> facts(List<UUID> runIds) {
        if (runIds.isEmpty()) return List.of();
        String marks = String.join(", ", java.util.Collections.nCopies(runIds.size(), "?"));
        return jdbc.sql("SELECT r.id, r.script_id, r.trigger, r.attempt, (s.consecutive_failures > 0 OR EXISTS"
                        + " (SELECT 1 FROM incidents i WHERE i.script_id = r.script_id AND i.status <> 'resolved'))"
                        + " FROM runs r JOIN scripts s ON s.id = r.script_id WHERE r.id IN (" + marks + ")")
                .params(runIds.toArray())
                .query((rs, n) -> new RunFacts(
                        rs.getObject(1, UUID.class),
                        rs.getObject(2, UUID.class),
                        rs.getString(3),
                        rs.getInt(4),
                        rs.getBoolean(5)))
                .list();
    }

    /** From a version's save to its build's end (now, when it has not ended); null when the version is gone. */
    public java.time.Duration versionAge(UUID scriptId, int version) {
        return jdbc.sql("SELECT created_at, built_at FROM script_versions WHERE script_id = ? AND version = ?")
                .params(scriptId, version)
                .query((rs, n) -> {
                    var created = AlertOutbox.instant(rs, 1);
                    var built = AlertOutbox.instant(rs, 2);
                    return java.time.Duration.between(created, built == null ? Instant.now() : built);
                })
                .optional()
                .orElse(null);
    }

    public AlertRules rules(UUID scriptId) {
        return jdbc.sql("SELECT rules FROM alert_rules WHERE script_id = ?")
                .param(scriptId)
                .query((rs, n) -> json.readValue(rs.getString(1), AlertRules.class))
                .optional()
                .orElse(AlertRules.DEFAULTS);
    }

    public void putRules(UUID scriptId, AlertRules rules) {
        jdbc.sql("INSERT INTO alert_rules (script_id, rules, updated_at) VALUES (?, CAST(? AS JSONB), now())"
                        + " ON CONFLICT (script_id) DO UPDATE SET rules = excluded.rules, updated_at = now()")
                .params(scriptId, json.writeValueAsString(rules))
                .update();
        jdbc.sql("UPDATE scripts SET pause_after_failures = ? WHERE id = ?")
                .params(rules.pauseAfterConsecutiveFailures(), scriptId)
                .update();
    }

    private static Incident incident(ResultSet rs, int n) throws SQLException {
        return new Incident(
                rs.getObject("id", UUID.class),
                rs.getObject("script_id", UUID.class),
                rs.getObject("owner_id", UUID.class),
                rs.getString("status"),
                rs.getString("reason"),
                rs.getString("summary"),
                rs.getInt("failures"),
                rs.getInt("signals"),
                rs.getBoolean("alerted"),
                AlertOutbox.instant(rs, "opened_at"),
                AlertOutbox.instant(rs, "last_signal_at"),
                AlertOutbox.instant(rs, "acknowledged_at"),
                AlertOutbox.instant(rs, "resolved_at"),
                rs.getString("resolved_by"));
    }
}
