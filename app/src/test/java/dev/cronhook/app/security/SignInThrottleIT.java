package dev.cronhook.app.security;

import static dev.cronhook.app.testing.Http.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cronhook.app.testing.Http;
import dev.cronhook.app.testing.TestPlatform;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Guessing passwords gets nowhere fast: after a few failures the API and the sign-in form answer 429 with
 * Retry-After, per account and per client address, with the same answers for a name that does not exist. Each test
 * signs in from a loopback address of its own, so the per-address counts do not mix. The holds are 3 s here (1 s
 * doubling up to 15 min by default), so the right password can be shown to work again without a long wait.
 */
class SignInThrottleIT {
    static TestPlatform platform;
    static String admin;

    @BeforeAll
    static void start() {
        platform = TestPlatform.start(
                "api,web",
                Map.of("cronhook.auth.throttle.first-delay", "3s", "cronhook.auth.throttle.max-delay", "3s"));
        admin = platform.http.login("admin", TestPlatform.ADMIN_PASSWORD);
        for (String name : List.of("bob", "carol", "dave", "erin", "frank")) {
            var created = platform.http.post(
                    "/api/users", json(Map.of("username", name, "password", name + "-password")), admin);
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
        }
    }

    @AfterAll
    static void stop() {
        if (platform != null) platform.close();
    }

    @Test
    void fortyWrongPasswordsForOneUserAreAnsweredTooManyRequestsWithRetryAfter() {
        var client = new Client(platform.baseUrl(), "127.0.0.11");
        var statuses = new ArrayList<Integer>();
        Http.Response throttled = null;
        for (int i = 0; i < 40; i++) {
            var r = client.apiLogin("bob", "not-the-password-" + i);
            statuses.add(r.status());
            if (r.status() == 429 && throttled == null) throttled = r;
        }

        // on main: all 40 are 401
        assertThat(statuses.subList(0, 5)).containsOnly(401);
        assertThat(statuses).contains(429);
        assertThat(statuses).containsOnly(401, 429);
        assertThat(throttled).isNotNull();
        assertThat(throttled.contentType()).startsWith("application/problem+json");
        assertThat(throttled.json().path("status").asInt()).isEqualTo(429);
        assertThat(throttled.json().path("detail").asString()).contains("too many failed sign-ins");
        assertThat(Long.parseLong(throttled.header("Retry-After"))).isBetween(1L, 3L);
    }

    @Test
    void theRightPasswordIsHeldBackTooAndWorksAgainAfterTheWait() {
        var client = new Client(platform.baseUrl(), "127.0.0.12");
        for (int i = 0; i < 6; i++) {
            assertThat(client.apiLogin("carol", "wrong-" + i).status()).isEqualTo(401);
        }

        var held = client.apiLogin("carol", "carol-password");

        assertThat(held.status()).isEqualTo(429);
        assertThat(held.header("Retry-After")).isNotNull();
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> client.apiLogin("carol", "carol-password").status() == 200);
        // a successful sign-in forgets the account's failures: the next wrong password is a plain 401 again
        assertThat(client.apiLogin("carol", "wrong-again").status()).isEqualTo(401);
    }

    @Test
    void aNameThatDoesNotExistGetsExactlyTheAnswersOfOneThatDoes() {
        var known = new ArrayList<String>();
        var unknown = new ArrayList<String>();
        var one = new Client(platform.baseUrl(), "127.0.0.13");
        var other = new Client(platform.baseUrl(), "127.0.0.14");
        for (int i = 0; i < 9; i++) {
            var k = one.apiLogin("dave", "wrong-" + i);
            var u = other.apiLogin("nobody-by-this-name", "wrong-" + i);
            known.add(k.status() + " " + k.json().path("title").asString());
            unknown.add(u.status() + " " + u.json().path("title").asString());
        }

        assertThat(unknown).isEqualTo(known);
        assertThat(unknown).contains("429 Too many sign-in attempts");
    }

    @Test
    void oneAddressTryingManyNamesIsHeldBackToo() {
        var client = new Client(platform.baseUrl(), "127.0.0.15");
        var statuses = new ArrayList<Integer>();
        for (int i = 0; i < 25; i++) {
            // one failure per name: no account ever reaches its own limit
            statuses.add(client.apiLogin("sprayed-name-" + i, "password-" + i).status());
        }

        assertThat(statuses.subList(0, 20)).containsOnly(401);
        assertThat(statuses.subList(20, 25)).contains(429);
        // the account of a real user is not held back by another address's guesses
        assertThat(new Client(platform.baseUrl(), "127.0.0.16")
                        .apiLogin("erin", "erin-password")
                        .status())
                .isEqualTo(200);
    }

    @Test
    void theSignInFormAnswersTooManyRequestsSaysSoAndKeepsTheUsername() {
        var client = new Client(platform.baseUrl(), "127.0.0.17");
        Http.Response last = null;
        for (int i = 0; i < 7; i++) {
            last = client.signIn("frank", "wrong-" + i);
        }

        // on main: a redirect to /login?error=wrong every time
        assertThat(last.status()).isEqualTo(429);
        assertThat(last.header("Retry-After")).isNotNull();
        assertThat(last.contentType()).startsWith("text/html");
        assertThat(last.text()).contains("Too many failed sign-ins").contains("value=\"frank\"");
        // the page is the sign-in form, ready to send again once the wait is over
        assertThat(last.text()).contains("name=\"_csrf\"").contains("action=\"/login\"");
    }
}
