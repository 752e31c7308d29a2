package dev.cronhook.app.security;

import static dev.cronhook.app.testing.Http.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cronhook.app.testing.TestPlatform;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tokens end when their lifetime does: a login's bearer token after CRONHOOK_AUTH_TOKEN_TTL, a browser's sign-in
 * session after CRONHOOK_AUTH_SESSION_TTL (both 2 s here), and a named API token at its expiry.
 */
class TokenExpiryIT {
    static TestPlatform platform;

    @BeforeAll
    static void start() {
        platform = TestPlatform.start(
                "api,web", Map.of("cronhook.auth.token-ttl", "2s", "cronhook.auth.session-ttl", "2s"));
    }

    @AfterAll
    static void stop() {
        if (platform != null) platform.close();
    }

    @Test
    void aLoginsBearerTokenIsRefusedOnceItsLifetimeIsOver() {
        var login = platform.http.post(
                "/api/auth/login", json(Map.of("username", "admin", "password", TestPlatform.ADMIN_PASSWORD)), null);
        String token = login.json().get("token").asString();

        assertThat(Duration.between(
                        java.time.Instant.parse(login.json().get("expiresAt").asString()), java.time.Instant.now()))
                .isLessThan(Duration.ofMinutes(1));
        assertThat(platform.http.get("/api/me", token).status()).isEqualTo(200);
        // on main: the token lives 12 h whatever the setting, so this never comes
        await().atMost(Duration.ofSeconds(8))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> platform.http.get("/api/me", token).status() == 401);
        var refused = platform.http.get("/api/me", token);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.json().path("detail").asString()).contains("expired");
    }

    @Test
    void aBrowserSessionEndsAndThePagesLeadToTheSignInForm() {
        var browser = new Client(platform.baseUrl(), "127.0.0.21");
        var signedIn = browser.signIn("admin", TestPlatform.ADMIN_PASSWORD);
        assertThat(signedIn.status()).isEqualTo(302);
        assertThat(signedIn.header("Location")).isEqualTo("/scripts");
        assertThat(browser.page("/scripts").status()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(8))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> browser.page("/scripts").status() == 302);
        assertThat(browser.page("/scripts").header("Location")).isEqualTo("/login");
    }

    @Test
    void aNamedApiTokenIsRefusedOnceItsExpiryHasPassed() throws Exception {
        String admin = platform.http.login("admin", TestPlatform.ADMIN_PASSWORD);
        // the login token lives 2 s: make the named token at once
        var issued = platform.http.post("/api/tokens", json(Map.of("name", "ci", "expiresInDays", 1)), admin);
        assertThat(issued.status()).isEqualTo(201);
        String token = issued.json().get("token").asString();
        UUID id = UUID.fromString(issued.json().get("id").asString());
        // a day is too long to wait: the expiry is moved to 2 s from now, before the token is first used
        try (var c = DriverManager.getConnection(platform.jdbcUrl(), "postgres", "");
                var s = c.prepareStatement(
                        "UPDATE api_tokens SET expires_at = now() + interval '2 seconds' WHERE id = ?")) {
            s.setObject(1, id);
            assertThat(s.executeUpdate()).isEqualTo(1);
        }

        assertThat(platform.http.get("/api/me", token).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(8))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> platform.http.get("/api/me", token).status() == 401);
    }
}
