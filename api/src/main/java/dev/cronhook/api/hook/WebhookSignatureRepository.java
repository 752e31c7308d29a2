package dev.cronhook.api.hook;

import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The optional signature secret and header of each script's webhook. */
@Repository
public class WebhookSignatureRepository {
    /** The header to read and the shared secret. */
    public record Signature(String header, String secret) {}

    private final JdbcClient jdbc;

    public WebhookSignatureRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public Optional<Signature> find(UUID scriptId) {
        return jdbc.sql("SELECT header, secret FROM webhook_signatures WHERE script_id = ?")
                .param(scriptId)
                .query(Signature.class)
                .optional();
    }

    public void put(UUID scriptId, String header, String secret) {
        jdbc.sql("INSERT INTO webhook_signatures (script_id, header, secret) VALUES (?, ?, ?)"
                        + " ON CONFLICT (script_id) DO UPDATE SET header = excluded.header, secret = excluded.secret,"
                        + " updated_at = now()")
                .params(scriptId, header, secret)
                .update();
    }

    public boolean delete(UUID scriptId) {
        return jdbc.sql("DELETE FROM webhook_signatures WHERE script_id = ?")
                        .param(scriptId)
                        .update()
                > 0;
    }
}
