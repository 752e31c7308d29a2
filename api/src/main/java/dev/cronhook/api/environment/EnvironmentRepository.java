package dev.cronhook.api.environment;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The environments users made and the protection of every environment. dev and prod have a row only once their
 * protection was set; every read is scoped to an owner.
 */
@Repository
public class EnvironmentRepository {
    /** An environment row. */
    public record EnvironmentRow(String name, boolean isProtected) {}

    private final JdbcClient jdbc;

    public EnvironmentRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public List<EnvironmentRow> list(UUID ownerId) {
        return jdbc.sql("SELECT name, protected FROM environments WHERE owner_id = ? ORDER BY name")
                .param(ownerId)
                .query((rs, n) -> new EnvironmentRow(rs.getString(1), rs.getBoolean(2)))
                .list();
    }

    public Optional<EnvironmentRow> find(UUID ownerId, String name) {
        return jdbc.sql("SELECT name, protected FROM environments WHERE owner_id = ? AND name = ?")
                .params(ownerId, name)
                .query((rs, n) -> new EnvironmentRow(rs.getString(1), rs.getBoolean(2)))
                .optional();
    }

    /** Makes the row; false when it exists. */
    public boolean insert(UUID ownerId, String name, boolean isProtected) {
        return jdbc.sql("INSERT INTO environments (owner_id, name, protected) VALUES (?, ?, ?)"
                                + " ON CONFLICT (owner_id, name) DO NOTHING")
                        .params(ownerId, name, isProtected)
                        .update()
                > 0;
    }

    public void setProtected(UUID ownerId, String name, boolean isProtected) {
        jdbc.sql("INSERT INTO environments (owner_id, name, protected) VALUES (?, ?, ?)"
                        + " ON CONFLICT (owner_id, name) DO UPDATE SET protected = excluded.protected")
                .params(ownerId, name, isProtected)
                .update();
    }

    /** How many scripts the owner has in the environment. */
    public long scriptCount(UUID ownerId, String name) {
        return jdbc.sql("SELECT count(*) FROM scripts WHERE owner_id = ? AND environment = ?")
                .params(ownerId, name)
                .query(Long.class)
                .single();
    }

    /** Deletes the row and the owner's secrets of the environment. */
    public boolean delete(UUID ownerId, String name) {
        jdbc.sql("DELETE FROM secrets WHERE owner_id = ? AND environment = ? AND script_id IS NULL")
                .params(ownerId, name)
                .update();
        return jdbc.sql("DELETE FROM environments WHERE owner_id = ? AND name = ?")
                        .params(ownerId, name)
                        .update()
                > 0;
    }
}
