package dev.cronhook.app.secret;

import static dev.cronhook.app.testing.Http.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cronhook.app.testing.TestPlatform;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A secret holding control characters, on the real path (the builder bakes the script into an image in the
 * registry on 127.0.0.1:5000, the executor runs it in Docker): the harness writes it with JSON.stringify ({@code
 * \f}, lower-case unicode escapes), and it comes back as {@code ***} in the result, a JSON reply, the stored run and
 * the log, also when the script writes it in two pieces of one line. What the script encodes on purpose (base64)
 * is not recognised, as the README says.
 */
class SecretFormsMaskedIT {
    private static TestPlatform platform;
    private static String token;

    @BeforeAll
    static void start() {
        platform = TestPlatform.start(
                "api,builder,executor",
                Map.of(
                        "cronhook.builder.target", "registry",
                        "cronhook.builder.registry", "127.0.0.1:5000",
                        "cronhook.executor.runtime", "docker",
                        "cronhook.webhooks.sync-timeout", "20s"));
        token = platform.http.login("admin", TestPlatform.ADMIN_PASSWORD);
    }

    @AfterAll
    static void stop() {
        if (platform != null) platform.close();
    }

    @Test
    void aSecretWithControlCharactersIsMaskedInResultReplyStoredRunAndLog() {
        var created = platform.http.post("/api/scripts", json(Map.of("name", "control-secret", "code", """
                        export default async function (event) {
                          const s = process.env.CTL_SECRET;
                          console.log(JSON.stringify({ logged: s }));
                          process.stdout.write("split:" + s.slice(0, 6));
                          process.stdout.write(s.slice(6) + ":end\\n");
                          if (event.query && event.query.mode === "reply") {
                            return new Response(JSON.stringify({ inReply: s }), {
                              status: 200, headers: { "content-type": "application/json" } });
                          }
                          return { inResult: s, length: s.length, encoded: Buffer.from(s).toString("base64") };
                        }
                        """)), token);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        UUID id = UUID.fromString(created.json().get("id").asString());
        String hook = URI.create(created.json().get("webhookUrl").asString()).getPath();
        String unique = UUID.randomUUID().toString();
        String value = "ctl\f\bsecret\u001b\u2028" + unique;
        var put = platform.http.put("/api/scripts/" + id + "/secrets/CTL_SECRET", json(Map.of("value", value)), token);
        assertThat(put.status()).as(put.toString()).isEqualTo(200);
        platform.awaitActive(id, 1, token, Duration.ofMinutes(3));

        var result = platform.http.post(hook, "{}", null);
        assertThat(result.status()).as(result.toString()).isEqualTo(200);
        assertThat(result.json().get("inResult").asString()).isEqualTo("***");
        // the script did get the value
        assertThat(result.json().get("length").asInt()).isEqualTo(value.length());
        // what the script encoded on purpose is not recognised
        assertThat(result.json().get("encoded").asString())
                .isEqualTo(Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8)));

        var reply = platform.http.post(hook + "?mode=reply", "{}", null);
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(reply.json().get("inReply").asString()).isEqualTo("***");

        for (var call : List.of(result, reply)) {
            String runUrl = "/api/runs/" + call.header("X-Cronhook-Run-Id");
            assertThat(call.text()).doesNotContain(unique);
            await().atMost(Duration.ofSeconds(20)).until(() -> platform.http
                    .get(runUrl, token)
                    .json()
                    .path("status")
                    .asString()
                    .equals("SUCCEEDED"));
            var run = platform.http.get(runUrl, token);
            assertThat(run.text()).doesNotContain(unique);
            var logs = platform.http.get(runUrl + "/logs", token);
            assertThat(logs.text()).doesNotContain(unique);
            assertThat(logs.json().get("lines").findValuesAsString("text"))
                    .contains("{\"logged\":\"***\"}", "split:***:end");
        }
    }
}
