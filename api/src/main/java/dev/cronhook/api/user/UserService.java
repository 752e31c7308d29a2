package dev.cronhook.api.user;

import dev.cronhook.api.error.BadCredentialsException;
import dev.cronhook.api.error.ForbiddenException;
import dev.cronhook.api.error.TooManySignInAttemptsException;
import dev.cronhook.api.error.UserNotFoundException;
import dev.cronhook.api.error.UsernameTakenException;
import dev.cronhook.core.validation.Violations;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;

/** Sign-in (throttled), users and their tokens. */
@Service
public class UserService {
    private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{2,63}");
    // a real hash of a random value, so an unknown user costs as much time as a wrong password
    private final String dummyHash;

    private final UserRepository users;
    private final TokenService tokens;
    private final PasswordEncoder encoder;
    private final SignInThrottle throttle;
    private final AuthProperties.Throttle limits;

    public UserService(
            UserRepository users,
            TokenService tokens,
            PasswordEncoder encoder,
            SignInThrottle throttle,
            AuthProperties properties) {
        this.users = users;
        this.tokens = tokens;
        this.encoder = encoder;
        this.throttle = throttle;
        this.limits = properties.throttle();
        this.dummyHash = encoder.encode(UUID.randomUUID().toString());
    }

    /**
     * Signs {@code username} in from {@code clientAddress} with a session token valid {@code lifetime}. Throttled per
     * account and per address ({@link TooManySignInAttemptsException}, 429) before the password is even checked;
     * an unknown name, a disabled user and a wrong password are one and the same answer (401), at the cost of one
     * password hash each, and are throttled alike.
     */
    public TokenService.IssuedToken login(String username, String password, String clientAddress, Duration lifetime) {
        var v = new Violations();
        if (username == null || username.isBlank()) v.add("username", "is required");
        if (password == null || password.isEmpty()) v.add("password", "is required");
        v.throwIfAny();
        String account = "account:" + username.toLowerCase(Locale.ROOT);
        String address = "address:" + (clientAddress == null ? "unknown" : clientAddress);
        if (limits.enabled()) {
            var wait = throttle.attempt(account, limits.freeFailures());
            if (wait.isPositive()) throw new TooManySignInAttemptsException(seconds(wait));
            wait = throttle.attempt(address, limits.addressFreeFailures());
            if (wait.isPositive()) {
                // this attempt never ran: it does not count against the account
                throttle.succeeded(account, false);
                throw new TooManySignInAttemptsException(seconds(wait));
            }
        }
        var user = users.findByUsername(username);
        String hash = user.map(UserRepository.StoredUser::passwordHash).orElse(dummyHash);
        if (!encoder.matches(password, hash) || user.isEmpty() || user.get().disabled()) {
            throw new BadCredentialsException("wrong username or password");
        }
        if (limits.enabled()) {
            throttle.succeeded(account, true);
            throttle.succeeded(address, false);
        }
        return tokens.issue(user.get().id(), "login", "session", Instant.now().plus(lifetime));
    }

    private static long seconds(Duration wait) {
        return Math.max(1, (wait.toMillis() + 999) / 1000);
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

    /**
     * An admin sets another user's password (e.g. a forgotten one): every sign-in session of that user ends, their
     * API tokens stay, and their failed sign-ins are forgotten.
     */
    public void resetPassword(CurrentUser admin, UUID userId, String newPassword) {
        requireAdmin(admin);
        var v = new Violations();
        checkPassword("newPassword", newPassword, v);
        v.throwIfAny();
        var user = users.findById(userId).orElseThrow(() -> new UserNotFoundException(userId));
        setPassword(user, newPassword);
    }

    /**
     * Sets the password of {@code username} without asking for the current one: for the host's command line
     * ({@code ./cronhook reset-password}), where whoever runs it already holds the database. False when there is
     * no such user.
     */
    public boolean resetPassword(String username, String newPassword) {
        var v = new Violations();
        checkPassword("newPassword", newPassword, v);
        v.throwIfAny();
        var user = users.findByUsername(username);
        user.ifPresent(u -> setPassword(u, newPassword));
        return user.isPresent();
    }

    private void setPassword(UserRepository.StoredUser user, String newPassword) {
        users.updatePassword(user.id(), encoder.encode(newPassword));
        tokens.endSessions(user.id());
        if (limits.enabled()) throttle.succeeded("account:" + user.username().toLowerCase(Locale.ROOT), true);
    }

    /**
     * An admin disables ({@code disabled}) or re-enables a user. A disabled user cannot sign in, their sessions end
     * and their API tokens are refused until they are enabled again. An admin cannot disable themselves.
     */
    public void setDisabled(CurrentUser admin, UUID userId, boolean disabled) {
        requireAdmin(admin);
        if (disabled && admin.id().equals(userId)) {
            var v = new Violations();
            v.add("id", "you cannot disable yourself");
            v.throwIfAny();
        }
        if (!users.setDisabled(userId, disabled)) throw new UserNotFoundException(userId);
        if (disabled) tokens.endSessions(userId);
        tokens.forgetCached();
    }

    static void requireAdmin(CurrentUser user) {
        if (!user.admin()) throw new ForbiddenException("only an admin can manage users");
    }

    static void checkPassword(String password, Violations v) {
        checkPassword("password", password, v);
    }

    static void checkPassword(String field, String password, Violations v) {
        if (password == null || password.length() < 8) v.add(field, "must be at least 8 characters");
        else if (password.length() > 200) v.add(field, "must be at most 200 characters");
    }
}
