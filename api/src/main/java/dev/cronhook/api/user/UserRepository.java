package dev.cronhook.api.user;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Users and their hashed passwords. */
@Repository
public class UserRepository {
    /** A stored user, with the password hash that never leaves this package. */
    public record StoredUser(UUID id, String username, String passwordHash, boolean admin) {
        CurrentUser toCurrentUser() {
            return new CurrentUser(id, username, admin);
        }
    }

    private final JdbcClient jdbc;

    public UserRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public Optional<StoredUser> findByUsername(String username) {
        return jdbc.sql("SELECT id, username, password_hash, admin FROM users WHERE username = ?")
                .param(username)
                .query(StoredUser.class)
                .optional();
    }

    public boolean exists(String username) {
        return findByUsername(username).isPresent();
    }

    public long count() {
        return jdbc.sql("SELECT count(*) FROM users").query(Long.class).single();
    }

    public List<CurrentUser> all() {
        return jdbc.sql("SELECT id, username, admin FROM users ORDER BY username")
                .query(CurrentUser.class)
                .list();
    }

    public void insert(UUID id, String username, String passwordHash, boolean admin) {
        jdbc.sql("INSERT INTO users (id, username, password_hash, admin) VALUES (?, ?, ?, ?)")
                .params(id, username, passwordHash, admin)
                .update();
    }

    public void updatePassword(UUID id, String passwordHash) {
        jdbc.sql("UPDATE users SET password_hash = ? WHERE id = ?")
                .params(passwordHash, id)
                .update();
    }
}
