package dev.cronhook.app.hook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cronhook.app.testing.RedisProcess;
import dev.cronhook.app.testing.TestPlatform;
import dev.cronhook.app.testing.WireExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
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
            var script = HookCalls.deploy(platform, "durable");
            String id = script.id();
            String hook = script.hook();

            // accepted while no executor runs: they wait in the queue
            var accepted = new ArrayList<String>();
            for (int i = 0; i < 20; i++) {
                var r = HookCalls.post(hook + "?async=true");
                assertThat(r.statusCode()).isEqualTo(202);
                accepted.add(r.headers().firstValue("X-Cronhook-Run-Id").orElseThrow());
            }

            redisServer.stop();
            var refused = HookCalls.post(hook + "?async=true");
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
}
