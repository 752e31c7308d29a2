package dev.cronhook.app.e2e;

import static dev.cronhook.app.testing.Http.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.cronhook.app.testing.Http;
import dev.cronhook.app.testing.TestPlatform;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A script's allow-list on the real platform (builder, registry, Docker executor, try-out worker): a webhook run and a
 * try-out reach a host the list names, through the sandbox's egress proxy, and nothing else; a private address is
 * refused whatever the list says; the proxy's counters reach Prometheus. The allowed host is a server on 127.0.0.1
 * behind the proxy's test-only mapping ({@code cronhook.egress.test-hosts}).
 */
class EgressEndToEndIT {
    static final String HOST = "api.example.test";
    static TestPlatform platform;
    static Http http;
    static String token;
    static HttpServer upstream;
    static HttpServer internal;
    static final AtomicInteger internalHits = new AtomicInteger();

    static final String CALLER = """
            export default async function (event) {
              const res = await fetch(event.body.url);
              return new Response("upstream said: " + (await res.text()), { status: 200 });
            }
            """;

    @BeforeAll
    static void start() throws IOException {
        upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        upstream.createContext("/", exchange -> {
            byte[] body = ("hello " + exchange.getRequestURI().getPath()).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        upstream.start();
        internal = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        internal.createContext("/", exchange -> {
            internalHits.incrementAndGet();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        internal.start();
        platform = TestPlatform.start(
                "api,builder,executor,try-out",
                Map.of(
                        "cronhook.builder.target",
                        "registry",
                        "cronhook.builder.registry",
                        "127.0.0.1:5000",
                        "cronhook.executor.runtime",
                        "docker",
                        "cronhook.webhooks.sync-timeout",
                        "30s",
                        "cronhook.egress.test-hosts",
                        HOST + ":80=127.0.0.1:" + upstream.getAddress().getPort()));
        http = platform.http;
        token = http.login("admin", TestPlatform.ADMIN_PASSWORD);
    }

    @AfterAll
    static void stop() {
        if (platform != null) platform.close();
        if (upstream != null) upstream.stop(0);
        if (internal != null) internal.stop(0);
    }

    @Test
    void aWebhookRunReachesTheHostsItsListNamesAndNoOther() {
        var allowed = deployed("egress-allowed", CALLER, List.of(HOST));
        var r = call(allowed.get("webhookUrl").asString(), "{\"url\":\"http://" + HOST + "/from-webhook\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("upstream said: hello /from-webhook");

        var unlisted = deployed("egress-unlisted", CALLER, List.of());
        var refused = call(unlisted.get("webhookUrl").asString(), "{\"url\":\"http://" + HOST + "/nope\"}");
        String runId = refused.headers().firstValue("X-Cronhook-Run-Id").orElseThrow();
        var run = awaitEnded(runId);
        assertThat(run.get("status").asString()).isEqualTo("FAILED");
        assertThat(run.get("error").asString())
                .isEqualTo("fetch failed (egress to " + HOST + ":80 blocked: not in this script's allow-list)");
        await().atMost(Duration.ofSeconds(20)).until(() -> http.get("/api/runs/" + runId + "/logs", token)
                .json()
                .get("lines")
                .findValuesAsString("text")
                .contains("cronhook: egress to " + HOST + ":80 blocked: not in this script's allow-list"));

        var everything = deployed("egress-everything", CALLER, List.of("*:*"));
        var privateTarget = call(
                everything.get("webhookUrl").asString(),
                "{\"url\":\"http://127.0.0.1:" + internal.getAddress().getPort() + "/\"}");
        var privateRun = awaitEnded(
                privateTarget.headers().firstValue("X-Cronhook-Run-Id").orElseThrow());
        assertThat(privateRun.get("error").asString())
                .endsWith("127.0.0.1:" + internal.getAddress().getPort() + " blocked: private address)");
        assertThat(internalHits.get()).isZero();

        String id = allowed.get("id").asString();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            String metrics = new Http(platform.managementUrl())
                    .get("/actuator/prometheus", null)
                    .text();
            assertThat(metrics).contains("cronhook_egress_connections_total{script=\"" + id + "\"}");
            assertThat(metrics)
                    .contains("cronhook_egress_blocked_total{reason=\"not in this script's allow-list\",script=\""
                            + unlisted.get("id").asString() + "\"}");
        });
    }

    @Test
    void aTryOutUsesTheListItIsGivenOrItsSavedScripts() {
        var given = http.post(
                "/api/try-out",
                json(Map.of(
                        "code",
                        CALLER,
                        "event",
                        Map.of("body", Map.of("url", "http://" + HOST + "/from-try-out")),
                        "egress",
                        Map.of("allow", List.of(HOST)))),
                token);
        assertThat(given.status()).as(given.toString()).isEqualTo(200);
        assertThat(given.json().at("/reply/body").asString())
                .as(given.toString())
                .isEqualTo("upstream said: hello /from-try-out");

        var none = http.post(
                "/api/try-out",
                json(Map.of("code", CALLER, "event", Map.of("body", Map.of("url", "http://" + HOST + "/")))),
                token);
        assertThat(none.json().get("status").asString()).as(none.toString()).isEqualTo("FAILED");
        assertThat(none.json().get("error").asString()).contains("blocked: not in this script's allow-list");
    }

    /** Creates a script with {@code allow} and waits until its first version is active; returns its JSON. */
    static JsonNode deployed(String name, String code, List<String> allow) {
        var body = new HashMap<String, Object>();
        body.put("name", name);
        body.put("code", code);
        body.put("egress", Map.of("allow", allow));
        var r = http.post("/api/scripts", json(body), token);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        platform.awaitActive(java.util.UUID.fromString(r.json().get("id").asString()), 1, token, Duration.ofMinutes(3));
        return r.json();
    }

    static JsonNode awaitEnded(String runId) {
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> List.of("SUCCEEDED", "FAILED", "TIMED_OUT", "CANCELLED")
                        .contains(http.get("/api/runs/" + runId, token)
                                .json()
                                .path("status")
                                .asString()));
        return http.get("/api/runs/" + runId, token).json();
    }

    static HttpResponse<String> call(String url, String body) {
        return PlatformEndToEndIT.call(url, body);
    }
}
