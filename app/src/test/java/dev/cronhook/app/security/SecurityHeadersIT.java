package dev.cronhook.app.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cronhook.app.testing.Http;
import dev.cronhook.app.testing.TestPlatform;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The headers browsers act on, and the metrics token, on the running application: one platform with a plain-HTTP
 * public URL and no metrics token, one behind an https public URL with a metrics token.
 */
class SecurityHeadersIT {
    static TestPlatform plain;
    static TestPlatform https;
    static final String METRICS_TOKEN = "metrics-token-for-tests";

    @BeforeAll
    static void start() {
        plain = TestPlatform.start("api,web", Map.of());
        https = TestPlatform.start(
                "api,web",
                Map.of("cronhook.public-url", "https://cronhook.example", "cronhook.metrics.token", METRICS_TOKEN));
    }

    @AfterAll
    static void stop() {
        if (plain != null) plain.close();
        if (https != null) https.close();
    }

    static HttpResponse<String> get(String url, Map<String, String> headers) {
        try {
            var b = HttpRequest.newBuilder(URI.create(url));
            headers.forEach(b::header);
            return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String header(HttpResponse<?> r, String name) {
        return r.headers().firstValue(name).orElse(null);
    }

    @Test
    void pagesGetAPolicyThatKeepsScriptsWorkersAndFramesToTheirOwnOrigin() {
        for (String path : java.util.List.of("/login", "/scripts", "/no-such-page")) {
            var r = get(plain.baseUrl() + path, Map.of("Accept", "text/html"));

            String csp = header(r, "Content-Security-Policy");
            assertThat(csp)
                    .as(path)
                    .contains("default-src 'self'")
                    .contains("script-src 'self'")
                    .contains("worker-src 'self'")
                    .contains("object-src 'none'")
                    .contains("frame-ancestors 'none'")
                    .doesNotContain("unsafe-eval");
            assertThat(csp.replaceAll("style-src[^;]*;", "")).doesNotContain("unsafe-inline");
            assertThat(header(r, "X-Content-Type-Options")).isEqualTo("nosniff");
            assertThat(header(r, "Referrer-Policy")).isEqualTo("same-origin");
            assertThat(header(r, "X-Frame-Options")).isEqualTo("DENY");
            assertThat(header(r, "Strict-Transport-Security")).isNull();
        }
    }

    @Test
    void apiAnswersCannotBeFramedOrSniffedAndWebhookRepliesAreSandboxed() {
        var api = get(plain.baseUrl() + "/api/scripts", Map.of());
        assertThat(api.statusCode()).isEqualTo(401);
        assertThat(header(api, "Content-Security-Policy")).isEqualTo("default-src 'none'; frame-ancestors 'none'");
        assertThat(header(api, "X-Content-Type-Options")).isEqualTo("nosniff");

        var hook = get(plain.baseUrl() + "/hooks/no-such-token", Map.of());
        assertThat(hook.statusCode()).isEqualTo(404);
        assertThat(header(hook, "Content-Security-Policy")).startsWith("sandbox");
        assertThat(header(hook, "X-Content-Type-Options")).isEqualTo("nosniff");
    }

    @Test
    void hstsIsSentOnlyWhenThePublicUrlIsHttps() {
        for (String path : java.util.List.of("/login", "/api/scripts", "/actuator/health/liveness")) {
            assertThat(header(get(https.baseUrl() + path, Map.of()), "Strict-Transport-Security"))
                    .as(path)
                    .startsWith("max-age=31536000");
            assertThat(header(get(plain.baseUrl() + path, Map.of()), "Strict-Transport-Security"))
                    .as(path)
                    .isNull();
        }
    }

    @Test
    void withAMetricsTokenPrometheusAnswersOnlyThatBearerToken() {
        var management = new Http(https.managementUrl());

        var none = management.get("/actuator/prometheus", null);
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.contentType()).startsWith("application/problem+json");
        assertThat(none.text()).doesNotContain("jvm_memory_used_bytes");
        assertThat(management.get("/actuator/prometheus", "wrong-token").status())
                .isEqualTo(401);
        var right = management.get("/actuator/prometheus", METRICS_TOKEN);
        assertThat(right.status()).isEqualTo(200);
        assertThat(right.text()).contains("jvm_memory_used_bytes");
        // health stays open for probes, and the public port still has no metrics at all
        assertThat(management.get("/actuator/health/liveness", null).status()).isEqualTo(200);
        assertThat(https.http.get("/actuator/prometheus", METRICS_TOKEN).status())
                .isEqualTo(404);
    }

    @Test
    void withoutAMetricsTokenTheManagementPortServesMetricsToWhoeverReachesIt() {
        var management = new Http(plain.managementUrl());

        assertThat(management.get("/actuator/prometheus", null).status()).isEqualTo(200);
    }
}
