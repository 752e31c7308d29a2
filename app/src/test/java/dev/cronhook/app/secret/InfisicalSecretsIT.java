package dev.cronhook.app.secret;

import static dev.cronhook.app.testing.Http.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cronhook.app.testing.Http;
import dev.cronhook.app.testing.TestPlatform;
import dev.cronhook.executor.secrets.infisical.InfisicalStandIn;
import dev.cronhook.executor.secrets.infisical.MutableClock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A script bound to Infisical through the API, run by the real executor: the api hands the executor the binding
 * with the run's secrets, the executor's {@code InfisicalSecretProvider} logs in to {@link InfisicalStandIn} and
 * fetches the secrets over HTTP, the harness puts them in {@code process.env}, and their values leave the executor
 * only as {@code ***}. Scripts are built by the real builder as bundles and run by the process runtime (the harness
 * frame that carries the environment is the same in Docker; {@code PlatformEndToEndIT} runs built-in secrets
 * there). The executor keeps no fetched secrets ({@code secrets-cache-ttl 0s}), so every run asks Infisical.
 *
 * <p>What this cannot prove: that a real Infisical accepts these requests byte for byte and answers exactly so
 * (the stand-in implements the documented login and {@code /api/v3/secrets/raw}, imports and {@code ${NAME}}
 * references, plain HTTP instead of TLS); real token lifetimes (the stand-in's clock is moved by hand, so a token
 * "expires" at Infisical while the executor, on the system clock, still trusts it, as after clock skew or a
 * shortened TTL); and Infisical's rate limits, which the stand-in does not have.
 */
class InfisicalSecretsIT {
    static final String PROJECT = "7c1d0e4a-cronhook-project";
    static final String CLIENT_ID = "b2f3c4d5-machine-identity";
    static final String CLIENT_SECRET = "cs-" + UUID.randomUUID();
    static final String DB_PASSWORD = "db-pw-" + UUID.randomUUID();
    static final String SMTP_PASSWORD = "smtp-pw-" + UUID.randomUUID();
    static final String BUILT_IN_KEY = "built-in-" + UUID.randomUUID();
    static final String CODE = """
            const names = ["DB_PASSWORD", "DB_URL", "SMTP_PASSWORD", "REGION", "API_KEY"];
            export default async function () {
              console.log("connecting with", process.env.DB_PASSWORD, "to", process.env.DB_URL);
              return Object.fromEntries(names.flatMap(n => [[n, process.env[n]], [n + "_LENGTH", process.env[n]?.length]]));
            }
            """;

    static final MutableClock infisicalClock = new MutableClock();
    static InfisicalStandIn infisical;
    static TestPlatform platform;
    static Http http;
    static String token;

    @BeforeAll
    static void start() throws Exception {
        infisical = standIn();
        platform = TestPlatform.start(
                "api,builder,executor",
                Map.of(
                        "cronhook.builder.target", "bundle",
                        "cronhook.executor.runtime", "process",
                        "cronhook.executor.secrets-cache-ttl", "0s",
                        // the stand-in listens on 127.0.0.1, as an operator's on-premise Infisical might
                        "cronhook.egress.allow-private", "127.0.0.0/8"));
        http = platform.http;
        token = http.login("admin", TestPlatform.ADMIN_PASSWORD);
        // a built-in secret of the same user: both reach the script, and on a clash the binding wins
        assertThat(http.put("/api/secrets/API_KEY", json(Map.of("value", BUILT_IN_KEY)), token)
                        .status())
                .isEqualTo(200);
        assertThat(http.put("/api/secrets/REGION", json(Map.of("value", "built-in-region")), token)
                        .status())
                .isEqualTo(200);
    }

    @AfterAll
    static void stop() {
        if (platform != null) platform.close();
        if (infisical != null) infisical.close();
    }

    static InfisicalStandIn standIn() throws Exception {
        return InfisicalStandIn.start(infisicalClock)
                .identity(CLIENT_ID, CLIENT_SECRET)
                .secret(PROJECT, "prod", "/cronhook", "DB_PASSWORD", DB_PASSWORD)
                .secret(PROJECT, "prod", "/cronhook", "DB_URL", "postgres://app:${DB_PASSWORD}@db/app")
                .secret(PROJECT, "prod", "/cronhook", "REGION", "eu-west-1")
                .secret(PROJECT, "prod", "/shared", "SMTP_PASSWORD", SMTP_PASSWORD)
                .secret(PROJECT, "dev", "/cronhook", "DB_PASSWORD", "the-dev-password")
                .importInto(PROJECT, "prod", "/cronhook", "/shared");
    }

    @Test
    void anInfisicalSiteOnAPrivateAddressIsRefusedOnSaveAndAtRunTimeUnlessTheOperatorAllowedIt() {
        try (var strict = TestPlatform.start("api", Map.of())) {
            String adminToken = strict.http.login("admin", TestPlatform.ADMIN_PASSWORD);
            var created = strict.http.post("/api/scripts", json(Map.of("name", "ssrf", "code", CODE)), adminToken);
            String id = created.json().get("id").asString();
            for (String site : new String[] {
                infisical.url(), "http://localhost:18090/", "http://169.254.169.254/", "http://[::ffff:127.0.0.1]:5432/"
            }) {
                var bound = strict.http.put(
                        "/api/scripts/" + id + "/infisical",
                        json(Map.of(
                                "siteUrl", site,
                                "projectId", PROJECT,
                                "environment", "prod",
                                "clientId", CLIENT_ID,
                                "clientSecret", CLIENT_SECRET)),
                        adminToken);
                assertThat(bound.status()).as(site + ": " + bound).isEqualTo(400);
                assertThat(bound.json().get("errors").toString())
                        .as(site)
                        .contains("siteUrl")
                        .contains("private address");
            }
        }
        // saved while allowed, called by an executor that is not: the run fails before any request leaves
        try (var api = TestPlatform.start(
                        "api,builder",
                        Map.of("cronhook.builder.target", "bundle", "cronhook.egress.allow-private", "127.0.0.0/8"));
                var executor = TestPlatform.startSharing(
                        api,
                        "executor",
                        Map.of(
                                "cronhook.executor.runtime",
                                "process",
                                "cronhook.executor.api-url",
                                api.managementUrl(),
                                "cronhook.internal-token",
                                api.internalToken()))) {
            String adminToken = api.http.login("admin", TestPlatform.ADMIN_PASSWORD);
            int logins = infisical.logins();
            String id = boundScript(api.http, adminToken, "infisical-rebound", infisical.url(), CLIENT_SECRET);
            var run = runToTheEnd(api.http, adminToken, id);

            assertThat(run.get("status").asString()).as(run.toString()).isEqualTo("FAILED");
            assertThat(run.get("error").asString())
                    .contains("secrets unavailable")
                    .contains("private address");
            assertThat(infisical.logins()).as("no request reached the site").isEqualTo(logins);
        }
    }

    /** A deployed script bound to the stand-in at {@code siteUrl} with {@code clientSecret}; returns its id. */
    static String boundScript(Http http, String token, String name, String siteUrl, String clientSecret) {
        var created = http.post("/api/scripts", json(Map.of("name", name, "code", CODE)), token);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String id = created.json().get("id").asString();
        var bound = http.put(
                "/api/scripts/" + id + "/infisical",
                json(Map.of(
                        "siteUrl", siteUrl,
                        "projectId", PROJECT,
                        "environment", "prod",
                        "secretPath", "/cronhook",
                        "clientId", CLIENT_ID,
                        "clientSecret", clientSecret)),
                token);
        assertThat(bound.status()).as(bound.toString()).isEqualTo(200);
        await().atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> http.get("/api/scripts/" + id, token)
                                .json()
                                .path("activeVersion")
                                .asInt(0)
                        == 1);
        return id;
    }

    /** Starts a manual run and waits for its end; returns the run as the API shows it. */
    static JsonNode runToTheEnd(Http http, String token, String scriptId) {
        var accepted = http.post("/api/scripts/" + scriptId + "/runs", json(Map.of("event", Map.of())), token);
        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
        String url = accepted.json().get("url").asString();
        var finals = List.of("SUCCEEDED", "FAILED", "TIMED_OUT", "CANCELLED");
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> finals.contains(
                        http.get(url, token).json().get("status").asString()));
        return http.get(url, token).json();
    }

    static String everythingShownOf(Http http, String token, JsonNode run) {
        String url = "/api/runs/" + run.get("id").asString();
        return http.get(url, token).text() + http.get(url + "/logs", token).text();
    }

    static void assertNoSecretIn(String text) {
        assertThat(text)
                .doesNotContain(DB_PASSWORD)
                .doesNotContain(SMTP_PASSWORD)
                .doesNotContain(CLIENT_SECRET)
                .doesNotContain(BUILT_IN_KEY)
                .doesNotContain("eu-west-1")
                .doesNotContainPattern("st\\.[0-9a-f]{8}-");
    }

    static void assertGotTheBindingsSecrets(JsonNode run) {
        assertThat(run.get("status").asString()).as(run.toString()).isEqualTo("SUCCEEDED");
        var result = run.get("result");
        // the values were in process.env (their lengths say which), and came back only as ***
        assertThat(result.get("DB_PASSWORD").asString()).isEqualTo("***");
        assertThat(result.get("DB_PASSWORD_LENGTH").asInt()).isEqualTo(DB_PASSWORD.length());
        assertThat(result.get("DB_URL").asString()).isEqualTo("***");
        assertThat(result.get("DB_URL_LENGTH").asInt())
                .isEqualTo(("postgres://app:" + DB_PASSWORD + "@db/app").length());
        assertThat(result.get("SMTP_PASSWORD").asString()).isEqualTo("***");
        assertThat(result.get("SMTP_PASSWORD_LENGTH").asInt()).isEqualTo(SMTP_PASSWORD.length());
        assertThat(result.get("REGION_LENGTH").asInt()).isEqualTo("eu-west-1".length());
        assertThat(result.get("API_KEY_LENGTH").asInt()).isEqualTo(BUILT_IN_KEY.length());
    }

    @Test
    void aScriptBoundToInfisicalGetsItsSecretsInProcessEnvAndShowsThemOnlyMasked() {
        String id = boundScript(http, token, "infisical-reader", infisical.url(), CLIENT_SECRET);
        int logins = infisical.logins();

        var run = runToTheEnd(http, token, id);

        assertGotTheBindingsSecrets(run);
        var lines = http.get("/api/runs/" + run.get("id").asString() + "/logs", token)
                .json()
                .get("lines")
                .findValuesAsString("text");
        assertThat(lines).containsExactly("connecting with *** to ***");
        assertNoSecretIn(everythingShownOf(http, token, run));
        assertNoSecretIn(http.get("/api/scripts/" + id + "/infisical", token).text());
        assertThat(infisical.logins() - logins).isLessThanOrEqualTo(1);
    }

    @Test
    void aTokenInfisicalNoLongerAcceptsIsReplacedByAFreshLogin() {
        String id = boundScript(http, token, "infisical-expiry", infisical.url(), CLIENT_SECRET);
        assertGotTheBindingsSecrets(runToTheEnd(http, token, id));
        int logins = infisical.logins();
        int refused = infisical.refusedTokens();

        // expired at Infisical, while the executor's own clock says the token has hours left
        infisicalClock.advance(Duration.ofHours(3));
        assertGotTheBindingsSecrets(runToTheEnd(http, token, id));
        assertThat(infisical.refusedTokens() - refused).isEqualTo(1);
        assertThat(infisical.logins() - logins).isEqualTo(1);

        // revoked at Infisical
        infisical.revokeTokens();
        assertGotTheBindingsSecrets(runToTheEnd(http, token, id));
        assertThat(infisical.refusedTokens() - refused).isEqualTo(2);
        assertThat(infisical.logins() - logins).isEqualTo(2);
    }

    @Test
    void whenInfisicalIsDownTheRunFailsWithSecretsUnavailableAndTheReasonButNoValue() throws Exception {
        var doomed = standIn();
        try {
            String id = boundScript(http, token, "infisical-down", doomed.url(), CLIENT_SECRET);
            assertGotTheBindingsSecrets(runToTheEnd(http, token, id));
            doomed.close();

            var run = runToTheEnd(http, token, id);

            assertThat(run.get("status").asString()).isEqualTo("FAILED");
            assertThat(run.get("error").asString())
                    .startsWith("secrets unavailable: ")
                    .contains("Infisical at " + doomed.url())
                    .contains(" failed: ");
            // the script never started: it logs before anything else
            assertThat(http.get("/api/runs/" + run.get("id").asString() + "/logs", token)
                            .json()
                            .get("lines"))
                    .isEmpty();
            assertNoSecretIn(everythingShownOf(http, token, run));
        } finally {
            doomed.close();
        }
    }

    @Test
    void aClientSecretInfisicalRefusesFailsTheRunWithInfisicalsReasonAndNotTheSecret() {
        String wrong = "cs-wrong-" + UUID.randomUUID();
        String id = boundScript(http, token, "infisical-refused", infisical.url(), wrong);

        var run = runToTheEnd(http, token, id);

        assertThat(run.get("status").asString()).isEqualTo("FAILED");
        assertThat(run.get("error").asString())
                .startsWith("secrets unavailable: ")
                .contains("the login with HTTP 401: Invalid credentials");
        assertThat(everythingShownOf(http, token, run)).doesNotContain(wrong);
        assertNoSecretIn(everythingShownOf(http, token, run));
    }

    @Test
    void anExecutorOfASplitDeploymentGetsTheBindingFromTheApiAndFetchesFromInfisicalItself() {
        // its own api and executor: an executor in the shared platform would take these runs too
        try (var api = TestPlatform.start(
                        "api,builder",
                        Map.of("cronhook.builder.target", "bundle", "cronhook.egress.allow-private", "127.0.0.0/8"));
                var executor = TestPlatform.startSharing(
                        api,
                        "executor",
                        Map.of(
                                "cronhook.egress.allow-private",
                                "127.0.0.0/8",
                                "cronhook.executor.runtime",
                                "process",
                                "cronhook.executor.api-url",
                                api.managementUrl(),
                                "cronhook.internal-token",
                                api.internalToken(),
                                "cronhook.executor.secrets-cache-ttl",
                                "0s"))) {
            String adminToken = api.http.login("admin", TestPlatform.ADMIN_PASSWORD);
            assertThat(api.http
                            .put("/api/secrets/API_KEY", json(Map.of("value", BUILT_IN_KEY)), adminToken)
                            .status())
                    .isEqualTo(200);
            String id = boundScript(api.http, adminToken, "infisical-split", infisical.url(), CLIENT_SECRET);

            var run = runToTheEnd(api.http, adminToken, id);

            assertGotTheBindingsSecrets(run);
            assertNoSecretIn(everythingShownOf(api.http, adminToken, run));
        }
    }
}
