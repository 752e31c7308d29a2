package dev.cronhook.api.alert;

import dev.cronhook.api.secret.SecretCipher;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Alert channels; every read but {@link #findAnyOwner} is scoped to an owner. The secret is read only to send. */
@Repository
public class ChannelRepository {
    private final JdbcClient jdbc;
    private final JsonMapper json;

    public ChannelRepository(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    public void upsert(Channel c, SecretCipher.Sealed secret, boolean keepSecret) {
        var config = json.createObjectNode();
        if (c.url() != null) config.put("url", c.url());
        if (c.host() != null) config.put("host", c.host());
        if (c.port() != null) config.put("port", c.port());
        if (c.tls() != null) config.put("tls", c.tls());
        if (c.username() != null) config.put("username", c.username());
        if (c.from() != null) config.put("from", c.from());
        if (c.to() != null) {
            var to = config.putArray("to");
            c.to().forEach(to::add);
        }
        if (c.runScript() != null) config.put("runScript", c.runScript().toString());
        jdbc.sql("INSERT INTO alert_channels (id, owner_id, script_id, name, kind, config, secret_nonce, secret,"
                        + " created_at, updated_at) VALUES (?, ?, ?, ?, ?, CAST(? AS JSONB), ?, ?, ?, now())"
                        + " ON CONFLICT (id) DO UPDATE SET script_id = excluded.script_id, name = excluded.name,"
                        + " kind = excluded.kind, config = excluded.config, updated_at = now()"
                        + (keepSecret ? "" : ", secret_nonce = excluded.secret_nonce, secret = excluded.secret"))
                .params(
                        c.id(),
                        c.ownerId(),
                        c.scriptId(),
                        c.name(),
                        c.kind().wire(),
                        json.writeValueAsString(config),
                        secret == null ? null : secret.nonce(),
                        secret == null ? null : secret.ciphertext(),
                        Timestamp.from(c.createdAt()))
                .update();
    }

    public Optional<Channel> find(UUID ownerId, UUID id) {
        return jdbc.sql("SELECT * FROM alert_channels WHERE id = ? AND owner_id = ?")
                .params(id, ownerId)
                .query(this::channel)
                .optional();
    }

    public Optional<Channel> findAnyOwner(UUID id) {
        return jdbc.sql("SELECT * FROM alert_channels WHERE id = ?")
                .param(id)
                .query(this::channel)
                .optional();
    }

    /** The user's channels: those for every script, and those of {@code scriptId} when not null. */
    public List<Channel> list(UUID ownerId, UUID scriptId) {
        return jdbc.sql("SELECT * FROM alert_channels WHERE owner_id = ? AND (script_id IS NULL OR script_id = ?)"
                        + " ORDER BY created_at, id")
                .params(ownerId, scriptId)
                .query(this::channel)
                .list();
    }

    /** Every channel of the user, whichever script it belongs to. */
    public List<Channel> listAll(UUID ownerId) {
        return jdbc.sql("SELECT * FROM alert_channels WHERE owner_id = ? ORDER BY created_at, id")
                .param(ownerId)
                .query(this::channel)
                .list();
    }

    public boolean delete(UUID ownerId, UUID id) {
        return jdbc.sql("DELETE FROM alert_channels WHERE id = ? AND owner_id = ?")
                        .params(id, ownerId)
                        .update()
                > 0;
    }

    /** The sealed secret of a channel, if it has one. */
    public Optional<SecretCipher.Sealed> secret(UUID id) {
        return jdbc.sql("SELECT secret_nonce, secret FROM alert_channels WHERE id = ? AND secret IS NOT NULL")
                .param(id)
                .query((rs, n) -> new SecretCipher.Sealed(rs.getBytes(1), rs.getBytes(2)))
                .optional();
    }

    private Channel channel(ResultSet rs, int n) throws SQLException {
        JsonNode config = json.readTree(rs.getString("config"));
        List<String> to = null;
        if (config.has("to")) {
            to = new ArrayList<>();
            for (var t : config.get("to")) to.add(t.asString());
        }
        return new Channel(
                rs.getObject("id", UUID.class),
                rs.getObject("owner_id", UUID.class),
                rs.getObject("script_id", UUID.class),
                rs.getString("name"),
                Channel.Kind.of(rs.getString("kind")),
                text(config, "url"),
                text(config, "host"),
                config.has("port") ? config.get("port").asInt() : null,
                text(config, "tls"),
                text(config, "username"),
                text(config, "from"),
                to,
                config.has("runScript")
                        ? UUID.fromString(config.get("runScript").asString())
                        : null,
                rs.getBytes("secret") != null,
                rs.getTimestamp("created_at").toInstant());
    }

    private static String text(JsonNode config, String field) {
        return config.has(field) ? config.get(field).asString() : null;
    }
}
