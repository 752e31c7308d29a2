package dev.cronhook.api.secret;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Secret rows: names, update times and sealed values. Values never leave this package unsealed. */
@Repository
public class SecretRepository {
    /** A secret as listed: its name and when it was last set. */
    public record SecretInfo(String name, Instant updatedAt) {}

    /** A stored secret with its sealed value. */
    record StoredSecret(UUID scriptId, String name, byte[] nonce, byte[] ciphertext) {}

    private final JdbcClient jdbc;

    public SecretRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Writes a secret of the script ({@code scriptId}), or with {@code scriptId} null one of the user's in {@code
     * environment}.
     */
    void put(UUID ownerId, UUID scriptId, String environment, String name, SecretCipher.Sealed sealed) {
        var now = Timestamp.from(Instant.now());
        int updated = jdbc.sql("UPDATE secrets SET nonce = ?, ciphertext = ?, updated_at = ? WHERE owner_id = ?"
                        + " AND name = ? AND " + owner(scriptId))
                .params(
                        scriptId == null
                                ? List.of(sealed.nonce(), sealed.ciphertext(), now, ownerId, name, environment)
                                : List.of(sealed.nonce(), sealed.ciphertext(), now, ownerId, name, scriptId))
                .update();
        if (updated == 0) {
            // a script's own secret is in its script's environment
            jdbc.sql("INSERT INTO secrets (id, owner_id, script_id, environment, name, nonce, ciphertext, created_at,"
                            + " updated_at) VALUES (?, ?, ?, COALESCE(?, (SELECT environment FROM scripts WHERE"
                            + " id = ?), 'dev'), ?, ?, ?, ?, ?)")
                    .params(
                            UUID.randomUUID(),
                            ownerId,
                            scriptId,
                            environment,
                            scriptId,
                            name,
                            sealed.nonce(),
                            sealed.ciphertext(),
                            now,
                            now)
                    .update();
        }
    }

    public List<SecretInfo> list(UUID ownerId, UUID scriptId, String environment) {
        return jdbc.sql("SELECT name, updated_at FROM secrets WHERE owner_id = ? AND " + owner(scriptId)
                        + " ORDER BY name")
                .params(scriptId == null ? List.of(ownerId, environment) : List.of(ownerId, scriptId))
                .query((rs, n) -> new SecretInfo(
                        rs.getString("name"), rs.getTimestamp("updated_at").toInstant()))
                .list();
    }

    public boolean delete(UUID ownerId, UUID scriptId, String environment, String name) {
        return jdbc.sql("DELETE FROM secrets WHERE owner_id = ? AND name = ? AND " + owner(scriptId))
                        .params(
                                scriptId == null
                                        ? List.of(ownerId, name, environment)
                                        : List.of(ownerId, name, scriptId))
                        .update()
                > 0;
    }

    private static String owner(UUID scriptId) {
        return scriptId == null ? "script_id IS NULL AND environment = ?" : "script_id = ?";
    }

    /**
     * The user's secrets of the script's environment and the script's own, user's first (so the script's override
     * them when put in a map).
     */
    List<StoredSecret> forScript(UUID ownerId, UUID scriptId) {
        return jdbc.sql("SELECT script_id, name, nonce, ciphertext FROM secrets WHERE owner_id = ?"
                        + " AND ((script_id IS NULL AND environment = (SELECT environment FROM scripts WHERE id = ?))"
                        + " OR script_id = ?) ORDER BY script_id NULLS FIRST, name")
                .params(ownerId, scriptId, scriptId)
                .query((rs, n) -> new StoredSecret(
                        rs.getObject("script_id", UUID.class),
                        rs.getString("name"),
                        rs.getBytes("nonce"),
                        rs.getBytes("ciphertext")))
                .list();
    }
}
