package dev.cronhook.api.user;

import dev.cronhook.api.error.BadCredentialsException;
import dev.cronhook.api.error.UsernameTakenException;
import dev.cronhook.core.validation.Violations;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.regex.Pattern;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;

/** Sign-in, users and their tokens. */
@Service
public class UserService {
    private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{2,63}");
    static final Duration SESSION_LIFETIME = Duration.ofHours(12);
    // a real hash of a random value, so an unknown user costs as much time as a wrong password
    private final String dummyHash;

    private final UserRepository users;
    private final TokenService tokens;
    private final PasswordEncoder encoder;

    public UserService(UserRepository users, TokenService tokens, PasswordEncoder encoder) {
        this.users = users;
        this.tokens = tokens;
        this.encoder = encoder;
        this.dummyHash = encoder.encode(UUID.randomUUID().toString());
    }

    public TokenService.IssuedToken login(String username, String password) {
        var v = new Violations();
        if (username == null || username.isBlank()) v.add("username", "is required");
        if (password == null || password.isEmpty()) v.add("password", "is required");
        v.throwIfAny();
        var user = users.findByUsername(username);
        String hash = user.map(UserRepository.StoredUser::passwordHash).orElse(dummyHash);
        if (!encoder.matches(password, hash) || user.isEmpty()) {
            throw new BadCredentialsException("wrong username or password");
        }
        return tokens.issue(user.get().id(), "login", "session", Instant.now().plus(SESSION_LIFETIME));
    }

    public CurrentUser create(String username, String password, boolean admin) {
        var v = new Violations();
        if (username == null || !USERNAME.matcher(username).matches()) {
            v.add(
                    "username",
                    "must be 3-64 characters: letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        checkPassword(password, v);
        v.throwIfAny();
        if (users.exists(username)) throw new UsernameTakenException(username);
        var id = UUID.randomUUID();
        users.insert(id, username, encoder.encode(password), admin);
        return new CurrentUser(id, username, admin);
    }

    /**
     * Sets {@code user}'s password to {@code newPassword} if {@code currentPassword} is the current one (400 naming
     * the field otherwise), and ends the user's other sign-in sessions: every session token but {@code
     * keepToken}, the one the change was asked with. API tokens stay.
     */
    public void changePassword(CurrentUser user, String currentPassword, String newPassword, String keepToken) {
        var v = new Violations();
        if (currentPassword == null || currentPassword.isEmpty()) v.add("currentPassword", "is required");
        checkPassword("newPassword", newPassword, v);
        if (newPassword != null && newPassword.equals(currentPassword)) {
            v.add("newPassword", "must differ from the current password");
        }
        v.throwIfAny();
        var stored =
                users.findByUsername(user.username()).orElseThrow(() -> new BadCredentialsException("no such user"));
        if (!encoder.matches(currentPassword, stored.passwordHash())) {
            v.add("currentPassword", "is not your current password");
            v.throwIfAny();
        }
        users.updatePassword(stored.id(), encoder.encode(newPassword));
        tokens.endSessionsExcept(stored.id(), keepToken);
    }

    static void checkPassword(String password, Violations v) {
        checkPassword("password", password, v);
    }

    static void checkPassword(String field, String password, Violations v) {
        if (password == null || password.length() < 8) v.add(field, "must be at least 8 characters");
        else if (password.length() > 200) v.add(field, "must be at most 200 characters");
    }
}
