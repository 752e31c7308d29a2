package dev.cronhook.app.hook;

import static dev.cronhook.app.testing.Http.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cronhook.app.testing.RedisProcess;
import dev.cronhook.app.testing.TestPlatform;
import dev.cronhook.app.testing.WireExecutor;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Redis going away: while it is down a webhook answers 503 and leaves no run behind; runs accepted before a
 * restart are all still there afterwards and finish.
 */
class RedisRestartIT {

    @Test
    void webhookAnswers503WhileRedisIsDownAndNoAcceptedRunIsLostAcrossARestart() throws Exception {
        try (var redisServer = new RedisProcess();
                var platform = TestPlatform.start(
                        "api", Map.of("cronhook.webhooks.rate-limit-per-second", "1000"), null, redisServer.url())) {
            var http = platform.http;
            String token = http.login("admin", TestPlatform.ADMIN_PASSWORD);
            var created = http.post(
                    "/api/scripts", json(Map.of("name", "durable", "code", "export default async () => 1")), token);
            String id = created.json().get("id").asString();
            String hook = created.json().get("webhookUrl").asString();
            platform.deploy(UUID.fromString(id), 1, token);

            // accepted while no executor runs: they wait in the queue
            var accepted = new ArrayList<String>();
            for (int i = 0; i < 20; i++) {
                var r = call(hook + "?async=true");
                assertThat(r.statusCode()).isEqualTo(202);
                accepted.add(r.headers().firstValue("X-Cronhook-Run-Id").orElseThrow());
            }

            redisServer.stop();
            var refused = call(hook + "?async=true");
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
            assertThat(http.get("/api/runs?scriptId=" + id + "&limit=100", token)
                            .json())
                    .hasSize(20);

            redisServer.start();
            try (var executor = new WireExecutor(redisServer.url(), r -> WireExecutor.succeeded(r, "\"done\""))) {
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    var runs = http.get("/api/runs?scriptId=" + id + "&status=SUCCEEDED&limit=100", token)
                            .json();
                    return runs.size() == 20;
                });
                var finished = http.get("/api/runs?scriptId=" + id + "&limit=100", token)
                        .json()
                        .findValuesAsString("id");
                assertThat(finished).containsExactlyInAnyOrderElementsOf(accepted);
            }
        }
    }

    private static HttpResponse<String> call(String url) throws Exception {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .build()
                .send(
                        HttpRequest.newBuilder(URI.create(url))
                                .timeout(Duration.ofSeconds(30))
                                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                                .header("Content-Type", "application/json")
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }
}
