package dev.cronhook.executor.secrets.infisical;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cronhook.core.net.PrivateAddressGuard;
import dev.cronhook.core.secret.InfisicalBinding;
import dev.cronhook.core.secret.SecretsUnavailableException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link InfisicalSecretProvider} against {@link InfisicalStandIn}, which answers the login and raw-secrets endpoints
 * as Infisical documents them. The stand-in cannot prove that real Infisical accepts our requests byte for byte, how
 * it orders and merges imports in every case, how it expands nested or cross-environment references, or its exact
 * error texts; it proves the client's protocol handling: login, bearer use, caching, re-login and failure reasons.
 */
class InfisicalSecretProviderIT {

    private static final String PROJECT = "6f1c0b9e-project";
    private static final String CLIENT_ID = "4d9e1c33-identity";
    private static final String CLIENT_SECRET = "cs-very-secret-0123456789abcdef";
    private static final String DB_PASSWORD = "hunter2-db-password";

    private final MutableClock clock = new MutableClock();
    private InfisicalStandIn infisical;
    private InfisicalSecretProvider provider;

    @BeforeEach
    void start() throws Exception {
        infisical = InfisicalStandIn.start(clock)
                .identity(CLIENT_ID, CLIENT_SECRET)
                .secret(PROJECT, "prod", "/app", "DB_PASSWORD", DB_PASSWORD)
                .secret(PROJECT, "prod", "/app", "DB_URL", "postgres://app:${DB_PASSWORD}@db/app")
                .secret(PROJECT, "prod", "/app", "REGION", "eu-west-1")
                .secret(PROJECT, "prod", "/shared", "REGION", "us-east-1")
                .secret(PROJECT, "prod", "/shared", "SMTP_HOST", "smtp.example.com")
                .secret(PROJECT, "dev", "/app", "DB_PASSWORD", "dev-password")
                .importInto(PROJECT, "prod", "/app", "/shared");
        // the stand-in listens on 127.0.0.1: allowed here as an operator would allow an on-premise Infisical
        provider = new InfisicalSecretProvider(
                new InfisicalSecretProvider.Settings(
                                Duration.ofSeconds(5), Duration.ofSeconds(2), Duration.ofSeconds(30))
                        .withGuard(PrivateAddressGuard.allowing("127.0.0.0/8")),
                clock);
    }

    @AfterEach
    void stop() {
        provider.close();
        infisical.close();
    }

    private InfisicalBinding binding() {
        return binding(CLIENT_SECRET);
    }

    private InfisicalBinding binding(String clientSecret) {
        return new InfisicalBinding(infisical.url() + "/", PROJECT, "prod", "/app", CLIENT_ID, clientSecret);
    }

    @Test
    void fetchesThePathsSecretsWithImportsAndExpandedReferences() {
        Map<String, String> secrets = provider.fetch(binding());

        assertThat(secrets)
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        "DB_PASSWORD",
                        DB_PASSWORD,
                        "DB_URL",
                        "postgres://app:" + DB_PASSWORD + "@db/app",
                        "REGION",
                        "eu-west-1",
                        "SMTP_HOST",
                        "smtp.example.com"));
        assertThat(infisical.logins()).isEqualTo(1);
    }

    @Test
    void servesSecretsFromMemoryWithinTheTtlAndFetchesAgainAfterIt() {
        provider.fetch(binding());
        clock.advance(Duration.ofSeconds(29));
        provider.fetch(binding());

        assertThat(infisical.secretsRequests()).isEqualTo(1);

        infisical.secret(PROJECT, "prod", "/app", "REGION", "ap-south-1");
        clock.advance(Duration.ofSeconds(2));

        assertThat(provider.fetch(binding())).containsEntry("REGION", "ap-south-1");
        assertThat(infisical.secretsRequests()).isEqualTo(2);
        assertThat(infisical.logins()).isEqualTo(1);
    }

    @Test
    void logsInAgainBeforeTheTokenExpires() {
        infisical.tokenLifetime(Duration.ofSeconds(60));
        provider.fetch(binding());
        clock.advance(Duration.ofSeconds(58));

        assertThat(provider.fetch(binding())).containsEntry("DB_PASSWORD", DB_PASSWORD);
        assertThat(infisical.logins()).isEqualTo(2);
        assertThat(infisical.refusedTokens()).isZero();
    }

    @Test
    void logsInAgainOnceWhenInfisicalRefusesTheToken() {
        provider.fetch(binding());
        infisical.revokeTokens();
        clock.advance(Duration.ofSeconds(31));

        assertThat(provider.fetch(binding())).containsEntry("DB_PASSWORD", DB_PASSWORD);
        assertThat(infisical.refusedTokens()).isEqualTo(1);
        assertThat(infisical.logins()).isEqualTo(2);
    }

    @Test
    void givesUpWhenEvenAFreshTokenIsRefused() {
        infisical.refuseEveryToken();

        assertThatThrownBy(() -> provider.fetch(binding()))
                .isInstanceOf(SecretsUnavailableException.class)
                .hasMessageStartingWith("secrets unavailable: ")
                .hasMessageContaining("HTTP 401");
        assertThat(infisical.logins()).isEqualTo(2);
        assertThat(infisical.secretsRequests()).isEqualTo(2);
    }

    @Test
    void failsCleanlyWhenInfisicalIsDown() {
        provider.fetch(binding());
        infisical.close();
        clock.advance(Duration.ofSeconds(31));

        assertThatThrownBy(() -> provider.fetch(binding()))
                .isInstanceOf(SecretsUnavailableException.class)
                .hasMessageStartingWith("secrets unavailable: ")
                .hasMessageContaining(infisical.url())
                .satisfies(InfisicalSecretProviderIT::holdsNoSecret);
    }

    @Test
    void failsCleanlyWhenInfisicalAnswers500() {
        infisical.failWith(500, "Something went wrong");

        assertThatThrownBy(() -> provider.fetch(binding()))
                .isInstanceOf(SecretsUnavailableException.class)
                .hasMessageStartingWith("secrets unavailable: ")
                .hasMessageContaining("HTTP 500: Something went wrong")
                .satisfies(InfisicalSecretProviderIT::holdsNoSecret);
    }

    @Test
    void failsCleanlyWhenInfisicalDoesNotAnswerInTime() {
        infisical.delay(Duration.ofSeconds(4));

        assertThatThrownBy(() -> provider.fetch(binding()))
                .isInstanceOf(SecretsUnavailableException.class)
                .hasMessageContaining("timed out")
                .satisfies(InfisicalSecretProviderIT::holdsNoSecret);
    }

    @Test
    void failsWithInfisicalsReasonWhenTheClientSecretIsWrong() {
        String wrong = "cs-wrong-secret-fedcba9876543210";

        assertThatThrownBy(() -> provider.fetch(binding(wrong)))
                .isInstanceOf(SecretsUnavailableException.class)
                .hasMessageContaining("the login with HTTP 401: Invalid credentials")
                .hasMessageNotContaining(wrong);
    }

    @Test
    void cutsTheClientSecretOutOfAnErrorMessageThatEchoesIt() {
        infisical.failWith(400, "clientSecret " + CLIENT_SECRET + " is malformed");

        assertThatThrownBy(() -> provider.fetch(binding()))
                .hasMessageContaining("clientSecret *** is malformed")
                .satisfies(InfisicalSecretProviderIT::holdsNoSecret);
    }

    @Test
    void doesNotShareATokenWithABindingWhoseClientSecretIsWrong() {
        provider.fetch(binding());

        assertThatThrownBy(() -> provider.fetch(binding("cs-guessed")))
                .isInstanceOf(SecretsUnavailableException.class)
                .hasMessageContaining("HTTP 401");
    }

    @Test
    void concurrentFetchesOfOneBindingLogInOnceAndAskOnce() throws Exception {
        infisical.delay(Duration.ofMillis(200));
        var results = new ArrayList<Future<Map<String, String>>>();
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 20; i++) {
                results.add(threads.submit((Callable<Map<String, String>>) () -> provider.fetch(binding())));
            }
        }

        for (var result : results) {
            assertThat(result.get()).containsEntry("DB_PASSWORD", DB_PASSWORD);
        }
        assertThat(infisical.logins()).isEqualTo(1);
        assertThat(infisical.secretsRequests()).isEqualTo(1);
    }

    @Test
    void aBindingWithoutAClientSecretIsRefusedBeforeAnyCall() {
        assertThatThrownBy(() -> provider.fetch(binding(" ")))
                .isInstanceOf(SecretsUnavailableException.class)
                .hasMessage("secrets unavailable: the Infisical binding has no client secret");
        assertThat(infisical.logins()).isZero();
    }

    private static void holdsNoSecret(Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            assertThat(String.valueOf(t.getMessage()))
                    .doesNotContain(DB_PASSWORD)
                    .doesNotContain(CLIENT_SECRET)
                    .doesNotContainPattern("st\\.[0-9a-f]{8}-");
        }
    }

    @org.junit.jupiter.api.Test
    void aSiteOnAPrivateAddressIsNeverCalledUnlessTheOperatorAllowedIt() {
        int logins = infisical.logins();
        try (var strict = new InfisicalSecretProvider(
                new InfisicalSecretProvider.Settings(
                        Duration.ofSeconds(5), Duration.ofSeconds(2), Duration.ofSeconds(30)),
                clock)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> strict.fetch(binding()))
                    .isInstanceOf(dev.cronhook.core.secret.SecretsUnavailableException.class)
                    .hasMessageContaining("a private address")
                    .hasMessageContaining("CRONHOOK_EGRESS_ALLOW_PRIVATE");
        }
        org.assertj.core.api.Assertions.assertThat(infisical.logins())
                .as("no request reached the site")
                .isEqualTo(logins);
    }
}
