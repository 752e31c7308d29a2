package dev.cronhook.app.tryout;

import static dev.cronhook.app.testing.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cronhook.app.testing.Http;
import dev.cronhook.app.testing.TestPlatform;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /api/try-out} over HTTP in one process with the api and try-out roles (the try-out still travels
 * over Redis): unsaved code with its npm dependencies, run once, nothing stored; as JSON or as live events.
 */
class TryOutIT {
    static TestPlatform platform;
    static Http http;
    static String token;

    @BeforeAll
    static void start() {
        platform = TestPlatform.start("api,try-out", Map.of());
        http = platform.http;
        token = http.login("admin", TestPlatform.ADMIN_PASSWORD);
    }

    @AfterAll
    static void stop() {
        if (platform != null) platform.close();
    }

    @Test
    void unsavedCodeRunsWithItsDependenciesAndTheSampleEvent() {
        var body = Map.of(
                "code",
                """
                import _ from "lodash";
                export default async function (event, ctx) {
                  console.log("trying", ctx.trigger);
                  return { sum: _.sum(event.body.numbers), trigger: event.trigger };
                }
                """,
                "dependencies",
                Map.of("lodash", "^4.17.21"),
                "event",
                Map.of("body", Map.of("numbers", new int[] {1, 2, 3})));
        var r = http.post("/api/try-out", json(body), token);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        var result = r.json();
        assertThat(result.get("status").asString()).isEqualTo("SUCCEEDED");
        assertThat(result.get("result").get("sum").asInt()).isEqualTo(6);
        assertThat(result.get("result").get("trigger").asString()).isEqualTo("try-out");
        assertThat(result.get("logs").findValuesAsString("text")).contains("trying try-out");
        assertThat(http.get("/api/scripts", token).json())
                .as("nothing is saved")
                .isEmpty();

        // the second time the dependencies come from the cache: same answer
        var again = http.post("/api/try-out", json(body), token);
        assertThat(again.json().get("result").get("sum").asInt()).isEqualTo(6);
    }

    @Test
    void asAnEventStreamANewDependencysInstallLinesAndTheLogLinesComeBeforeTheResult() {
        var answer = http.postForEvents(
                "/api/try-out",
                json(Map.of(
                        "code",
                        """
                        import isNumber from "is-number";
                        export default async function (event) {
                          console.log("checking", event.body.value);
                          console.error("on stderr");
                          return { number: isNumber(event.body.value) };
                        }
                        """,
                        "dependencies",
                        Map.of("is-number", "^7.0.0"),
                        "event",
                        Map.of("body", Map.of("value", "42")))),
                token);
        assertThat(answer.response().status()).as(answer.response().toString()).isEqualTo(200);
        var names = answer.names();
        assertThat(names.getFirst()).isEqualTo("started");
        assertThat(names.getLast()).isEqualTo("result");
        assertThat(names).contains("install", "log").doesNotContain("error");
        assertThat(names.lastIndexOf("install"))
                .as("the install is done before the script logs")
                .isLessThan(names.indexOf("log"));
        assertThat(answer.named("install"))
                .extracting(e -> e.data().get("text").asString())
                .anyMatch(t -> t.startsWith("$ npm ci"));
        assertThat(answer.named("log"))
                .extracting(e -> e.data().get("stream").asString() + ":"
                        + e.data().get("text").asString())
                // two pipes: each keeps its order, but stdout and stderr may interleave either way
                .containsExactlyInAnyOrder("stdout:checking 42", "stderr:on stderr");

        var result = answer.named("result").getFirst().data();
        assertThat(result.get("status").asString()).isEqualTo("SUCCEEDED");
        assertThat(result.get("result").get("number").asBoolean()).isTrue();
        // the same two pipes: the result keeps the lines as they arrived, in either order
        assertThat(result.get("logs").findValuesAsString("text")).containsExactlyInAnyOrder("checking 42", "on stderr");
        assertThat(result.get("installLog").size())
                .isEqualTo(answer.named("install").size());
    }

    @Test
    void aResponseIsShownAsTheReplyAndAThrownErrorAsTheError() {
        var reply = http.post(
                "/api/try-out",
                json(Map.of("code", "export default async () => new Response('made', {status: 201})")),
                token);
        assertThat(reply.json().get("reply").get("status").asInt()).isEqualTo(201);
        assertThat(reply.json().get("reply").get("body").asString()).isEqualTo("made");

        var thrown = http.post(
                "/api/try-out", json(Map.of("code", "export default async () => { throw new Error('nope'); }")), token);
        assertThat(thrown.json().get("status").asString()).isEqualTo("FAILED");
        assertThat(thrown.json().get("error").asString()).contains("nope");
    }

    @Test
    void aMissingPackageFailsWithNpmsMessage() {
        var r = http.post(
                "/api/try-out",
                json(Map.of(
                        "code",
                        "export default async () => 1",
                        "dependencies",
                        Map.of("cronhook-no-such-package-try-out", "^1.0.0"))),
                token);
        assertThat(r.json().get("status").asString()).isEqualTo("FAILED");
        assertThat(r.json().get("error").asString()).contains("E404");
        assertThat(r.json().get("installLog").toString()).contains("404");
    }

    @Test
    void badInputIsAProblemDocumentAndTryOutNeedsSignIn() {
        var bad = http.post(
                "/api/try-out",
                json(Map.of("code", "module.exports = 1", "dependencies", Map.of("X", "file:.."))),
                token);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("errors").findValuesAsString("field")).contains("code", "dependencies.X");
        var badLive = http.postForEvents("/api/try-out", json(Map.of("code", "module.exports = 1")), token);
        assertThat(badLive.response().status()).isEqualTo(400);
        assertThat(badLive.response().contentType()).contains("application/problem+json");
        assertThat(badLive.response().json().get("errors").findValuesAsString("field"))
                .containsExactly("code");
        assertThat(http.post("/api/try-out", json(Map.of("code", "export default () => 1")), null)
                        .status())
                .isEqualTo(401);
    }
}
