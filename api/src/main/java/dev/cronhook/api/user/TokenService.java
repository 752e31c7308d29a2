package dev.cronhook.api.user;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * Bearer tokens: a random 256-bit value shown once, stored only as its SHA-256. Session tokens (from login)
 * expire; API tokens last until revoked or their optional expiry. A disabled user's tokens are refused. Lookups are
 * cached for a few seconds (a revocation or a disabled user reaches other replicas within that time).
 */
@Service
public class TokenService {
    public static final String PREFIX = "chk_";
    private static final Duration CACHE_FOR = Duration.ofSeconds(10);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A token as listed: never its value. */
    public record TokenInfo(UUID id, String name, String kind, Instant createdAt, Instant expiresAt) {}

    /** A token just made: the only time its value is shown. */
    public record IssuedToken(UUID id, String name, String token, Instant createdAt, Instant expiresAt) {}

    private record Cached(CurrentUser user, Instant expiresAt, Instant cachedUntil) {}

    private final JdbcClient jdbc;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    public TokenService(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public IssuedToken issue(UUID userId, String name, String kind, Instant expiresAt) {
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        String token = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        var id = UUID.randomUUID();
        var now = Instant.now();
        jdbc.sql("INSERT INTO api_tokens (id, user_id, name, kind, token_hash, created_at, expires_at)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?)")
                .params(id, userId, name, kind, hash(token), Timestamp.from(now), timestamp(expiresAt))
                .update();
        return new IssuedToken(id, name, token, now, expiresAt);
    }

    public Optional<CurrentUser> authenticate(String token) {
        if (token == null || !token.startsWith(PREFIX) || token.length() > 100) return Optional.empty();
        String hash = hash(token);
        var now = Instant.now();
        var cached = cache.get(hash);
        if (cached != null && cached.cachedUntil().isAfter(now)) {
            return cached.expiresAt() != null && cached.expiresAt().isBefore(now)
                    ? Optional.empty()
                    : Optional.of(cached.user());
        }
        var found = jdbc.sql("SELECT u.id, u.username, u.admin, t.expires_at FROM api_tokens t"
                        + " JOIN users u ON u.id = t.user_id WHERE t.token_hash = ? AND NOT u.disabled")
                .param(hash)
                .query((rs, n) -> {
                    var expires = rs.getTimestamp("expires_at");
                    return new Cached(
                            new CurrentUser(
                                    rs.getObject("id", UUID.class), rs.getString("username"), rs.getBoolean("admin")),
                            expires == null ? null : expires.toInstant(),
                            now.plus(CACHE_FOR));
                })
                .optional();
        if (found.isEmpty()) {
            cache.remove(hash);
            return Optional.empty();
        }
        cache.put(hash, found.get());
        if (found.get().expiresAt() != null && found.get().expiresAt().isBefore(now)) return Optional.empty();
        return Optional.of(found.get().user());
    }

    public List<TokenInfo> list(UUID userId) {
        return jdbc.sql("SELECT id, name, kind, created_at, expires_at FROM api_tokens WHERE user_id = ?"
                        + " AND kind = 'api' ORDER BY created_at")
                .param(userId)
                .query((rs, n) -> new TokenInfo(
                        rs.getObject("id", UUID.class),
                        rs.getString("name"),
                        rs.getString("kind"),
                        rs.getTimestamp("created_at").toInstant(),
                        rs.getTimestamp("expires_at") == null
                                ? null
                                : rs.getTimestamp("expires_at").toInstant()))
                .list();
    }

    public boolean revoke(UUID userId, UUID tokenId) {
        cache.clear();
        return jdbc.sql("DELETE FROM api_tokens WHERE id = ? AND user_id = ?")
                        .params(tokenId, userId)
                        .update()
                > 0;
    }

    /** Ends every sign-in session of the user but the one of {@code keepToken} (API tokens stay). */
    public void endSessionsExcept(UUID userId, String keepToken) {
        jdbc.sql("DELETE FROM api_tokens WHERE user_id = ? AND kind = 'session' AND token_hash <> ?")
                .params(userId, keepToken == null ? "" : hash(keepToken))
                .update();
        cache.clear();
    }

    /** Ends every sign-in session of the user (API tokens stay, refused while the user is disabled). */
    public void endSessions(UUID userId) {
        jdbc.sql("DELETE FROM api_tokens WHERE user_id = ? AND kind = 'session'")
                .param(userId)
                .update();
        cache.clear();
    }

    /** Forgets cached lookups, e.g. after a user was disabled. */
    public void forgetCached() {
        cache.clear();
    }

    /** The SHA-256 (hex) under which a token is kept; only the hash is ever stored. */
    public static String hash(String token) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Timestamp timestamp(Instant instant) {
        return instant == null ? null : Timestamp.from(instant);
    }
}
