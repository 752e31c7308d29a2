package dev.cronhook.app.hook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cronhook.app.testing.PostgresCluster;
import dev.cronhook.app.testing.TestPlatform;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * The database going away (its server killed with SIGKILL, as a crash): a webhook call answers 503 with a problem
 * document naming the database, never a 500, and leaves no run; once the server is back calls are accepted again, and
 * the runs accepted before the crash are all still there.
 */
class DatabaseOutageIT {

    @Test
    void aWebhookAnswers503WhileTheDatabaseIsDownAndIsAcceptedAgainOnceItIsBack() throws Exception {
        try (var postgres = new PostgresCluster(Files.createTempDirectory("cronhook-pg-"));
                var platform = TestPlatform.start(
                        "api",
                        Map.of(
                                "cronhook.db.url", postgres.jdbcUrl(),
                                "cronhook.db.username", postgres.username(),
                                "cronhook.webhooks.rate-limit-per-second", "1000"))) {
            var http = platform.http;
            String token = http.login("admin", TestPlatform.ADMIN_PASSWORD);
            var script = HookCalls.deploy(platform, "outage");
            String id = script.id();
            String hook = script.hook();
            var accepted = new ArrayList<String>();
            for (int i = 0; i < 5; i++) {
                var r = HookCalls.post(hook + "?async=true");
                assertThat(r.statusCode()).isEqualTo(202);
                accepted.add(r.headers().firstValue("X-Cronhook-Run-Id").orElseThrow());
            }

            postgres.kill();
            // past the webhook's read cache (1 s): the call needs the database for its script, then for its run
            Thread.sleep(1_500);
            for (String url : new String[] {hook + "?async=true", hook}) {
                var refused = HookCalls.post(url);
                assertThat(refused.statusCode()).as(url + ": " + refused.body()).isEqualTo(503);
                assertThat(refused.headers().firstValue("Content-Type").orElse(""))
                        .startsWith("application/problem+json");
                assertThat(JsonMapper.shared()
                                .readTree(refused.body())
                                .path("detail")
                                .asString())
                        .contains("database");
            }

            postgres.start();
            var back = new ArrayList<HttpResponse<String>>();
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> {
                        var r = HookCalls.post(hook + "?async=true");
                        if (r.statusCode() == 202) back.add(r);
                        return r.statusCode() == 202;
                    });
            accepted.add(
                    back.getFirst().headers().firstValue("X-Cronhook-Run-Id").orElseThrow());
            assertThat(http.get("/api/runs?scriptId=" + id + "&limit=100", token)
                            .json()
                            .findValuesAsString("id"))
                    .as("every accepted run, and none of the refused calls")
                    .containsExactlyInAnyOrderElementsOf(accepted);
        }
    }
}
