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
    public record StoredUser(UUID id, String username, String passwordHash, boolean admin, boolean disabled) {
        CurrentUser toCurrentUser() {
            return new CurrentUser(id, username, admin);
        }
    }

    /** A user as the admin sees them in the list. */
    public record UserInfo(UUID id, String username, boolean admin, boolean disabled) {}

    private final JdbcClient jdbc;

    public UserRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public Optional<StoredUser> findByUsername(String username) {
        return jdbc.sql("SELECT id, username, password_hash, admin, disabled FROM users WHERE username = ?")
                .param(username)
                .query(StoredUser.class)
                .optional();
    }

    public Optional<StoredUser> findById(UUID id) {
        return jdbc.sql("SELECT id, username, password_hash, admin, disabled FROM users WHERE id = ?")
                .param(id)
                .query(StoredUser.class)
                .optional();
    }

    /** Disables or re-enables a user; false when there is no such user. */
    public boolean setDisabled(UUID id, boolean disabled) {
        return jdbc.sql("UPDATE users SET disabled = ? WHERE id = ?")
                        .params(disabled, id)
                        .update()
                > 0;
    }

    public boolean exists(String username) {
        return findByUsername(username).isPresent();
    }

    public long count() {
        return jdbc.sql("SELECT count(*) FROM users").query(Long.class).single();
    }

    public List<UserInfo> all() {
        return jdbc.sql("SELECT id, username, admin, disabled FROM users ORDER BY username")
                .query(UserInfo.class)
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
