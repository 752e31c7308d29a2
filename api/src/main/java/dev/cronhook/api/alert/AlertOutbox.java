package dev.cronhook.api.alert;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The durable outbox of alert deliveries and their attempts. A delivery is claimed with a lease (a conditional
 * UPDATE, so one replica sends it at a time); a sender that dies leaves it to be claimed again when the lease ends.
 */
@Repository
public class AlertOutbox {
    /** One alert to one channel. */
    public record Delivery(
            UUID id,
            UUID incidentId,
            UUID channelId,
            UUID ownerId,
            String event,
            String payload,
            String status,
            int attempts,
            Instant nextAttemptAt,
            Instant createdAt,
            Instant sentAt) {}

    /** One attempt at a delivery: {@code sending} while under way (or when its sender died). */
    public record Attempt(
            int attempt, Instant startedAt, Instant finishedAt, String status, Integer responseCode, String error) {}

    private final JdbcClient jdbc;

    public AlertOutbox(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public void add(UUID id, UUID incidentId, UUID channelId, UUID ownerId, String event, String payloadJson) {
        jdbc.sql("INSERT INTO alert_deliveries (id, incident_id, channel_id, owner_id, event, payload, status,"
                        + " next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, CAST(? AS JSONB), 'pending', now(),"
                        + " now())")
                .params(id, incidentId, channelId, ownerId, event, payloadJson)
                .update();
    }

    /** Claims up to {@code limit} due deliveries for {@code lease}; each claim counts an attempt. */
    public List<Delivery> claim(int limit, Duration lease) {
        var ids = jdbc.sql("SELECT id FROM alert_deliveries WHERE status = 'pending' AND next_attempt_at <= now()"
                        + " AND (lease_until IS NULL OR lease_until < now()) ORDER BY next_attempt_at LIMIT ?")
                .param(limit)
                .query((rs, n) -> rs.getObject(1, UUID.class))
                .list();
        var claimed = new ArrayList<Delivery>();
        for (var id : ids) {
            // conditional: of two replicas that read the same id, one moves the lease
            jdbc.sql("UPDATE alert_deliveries SET lease_until = now() + CAST(? AS INTERVAL), attempts = attempts + 1"
                            + " WHERE id = ? AND status = 'pending' AND (lease_until IS NULL OR lease_until < now())"
                            + " RETURNING *")
                    .params(lease.toMillis() + " milliseconds", id)
                    .query(AlertOutbox::delivery)
                    .optional()
                    .ifPresent(claimed::add);
        }
        return claimed;
    }

    /**
     * How long until the earliest pending delivery is due (zero or negative: due now), by the database's clock, the
     * one {@link #claim} goes by; null when none is pending.
     */
    public Duration untilNextDue() {
        return jdbc.sql("SELECT EXTRACT(EPOCH FROM min(GREATEST(next_attempt_at, COALESCE(lease_until,"
                        + " next_attempt_at))) - now()) FROM alert_deliveries WHERE status = 'pending'")
                .query((rs, n) -> {
                    var seconds = rs.getBigDecimal(1);
                    return Optional.ofNullable(
                            seconds == null
                                    ? null
                                    : Duration.ofNanos(seconds.movePointRight(9).longValue()));
                })
                .single()
                .orElse(null);
    }

    public void attemptStarted(UUID deliveryId, int attempt) {
        jdbc.sql("INSERT INTO alert_attempts (delivery_id, attempt, started_at, status) VALUES (?, ?, now(),"
                        + " 'sending') ON CONFLICT (delivery_id, attempt) DO NOTHING")
                .params(deliveryId, attempt)
                .update();
    }

    public void sent(UUID deliveryId, int attempt, Integer responseCode) {
        jdbc.sql("UPDATE alert_attempts SET finished_at = now(), status = 'sent', response_code = ?"
                        + " WHERE delivery_id = ? AND attempt = ?")
                .params(responseCode, deliveryId, attempt)
                .update();
        jdbc.sql("UPDATE alert_deliveries SET status = 'sent', sent_at = now(), lease_until = NULL WHERE id = ?")
                .param(deliveryId)
                .update();
    }

    /** Records a failed attempt; the delivery is tried again at {@code retryAt}, or given up when that is null. */
    public void failed(UUID deliveryId, int attempt, Integer responseCode, String error, Instant retryAt) {
        jdbc.sql("UPDATE alert_attempts SET finished_at = now(), status = 'failed', response_code = ?, error = ?"
                        + " WHERE delivery_id = ? AND attempt = ?")
                .params(responseCode, cut(error), deliveryId, attempt)
                .update();
        if (retryAt == null) {
            jdbc.sql("UPDATE alert_deliveries SET status = 'failed', lease_until = NULL WHERE id = ?")
                    .param(deliveryId)
                    .update();
        } else {
            jdbc.sql("UPDATE alert_deliveries SET next_attempt_at = ?, lease_until = NULL WHERE id = ?")
                    .params(Timestamp.from(retryAt), deliveryId)
                    .update();
        }
    }

    public List<Delivery> ofIncident(UUID incidentId) {
        return jdbc.sql("SELECT * FROM alert_deliveries WHERE incident_id = ? ORDER BY created_at, id")
                .param(incidentId)
                .query(AlertOutbox::delivery)
                .list();
    }

    public Optional<Delivery> find(UUID ownerId, UUID id) {
        return jdbc.sql("SELECT * FROM alert_deliveries WHERE id = ? AND owner_id = ?")
                .params(id, ownerId)
                .query(AlertOutbox::delivery)
                .optional();
    }

    public List<Attempt> attempts(UUID deliveryId) {
        return jdbc.sql("SELECT * FROM alert_attempts WHERE delivery_id = ? ORDER BY attempt")
                .param(deliveryId)
                .query((rs, n) -> new Attempt(
                        rs.getInt("attempt"),
                        instant(rs, "started_at"),
                        instant(rs, "finished_at"),
                        rs.getString("status"),
                        rs.getObject("response_code", Integer.class),
                        rs.getString("error")))
                .list();
    }

    /** Pending deliveries: how many, and how old the oldest is (null when none). */
    public record Backlog(long pending, Instant oldest) {}

    public Backlog backlog() {
        return jdbc.sql("SELECT count(*), min(created_at) FROM alert_deliveries WHERE status = 'pending'")
                .query((rs, n) -> new Backlog(rs.getLong(1), instant(rs, 2)))
                .single();
    }

    private static String cut(String error) {
        if (error == null) return null;
        return error.length() > 2000 ? error.substring(0, 2000) + "…" : error;
    }

    private static Delivery delivery(ResultSet rs, int n) throws SQLException {
        return new Delivery(
                rs.getObject("id", UUID.class),
                rs.getObject("incident_id", UUID.class),
                rs.getObject("channel_id", UUID.class),
                rs.getObject("owner_id", UUID.class),
                rs.getString("event"),
                rs.getString("payload"),
                rs.getString("status"),
                rs.getInt("attempts"),
                instant(rs, "next_attempt_at"),
                instant(rs, "created_at"),
                instant(rs, "sent_at"));
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        var t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    static Instant instant(ResultSet rs, int column) throws SQLException {
        var t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
