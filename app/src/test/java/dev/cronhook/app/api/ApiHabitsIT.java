package dev.cronhook.app.api;

import static dev.cronhook.app.testing.Http.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cronhook.app.testing.Http;
import dev.cronhook.app.testing.TestPlatform;
import dev.cronhook.core.build.BuildState;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What users of the API expect of it (issue 21, point 9): partial changes with JSON Merge Patch, a create that
 * waits for its build, an OpenAPI document of the API only with a heading, and Swagger UI to read it in.
 */
class ApiHabitsIT {
    static TestPlatform platform;
    static Http http;
    static String token;

    @BeforeAll
    static void start() {
        platform = TestPlatform.start("api,web", Map.of());
        http = platform.http;
        token = http.login("admin", TestPlatform.ADMIN_PASSWORD);
    }

    @AfterAll
    static void stop() {
        if (platform != null) platform.close();
    }

    @Test
    void aMergePatchChangesOnlyTheFieldsItNamesAndNullSetsOneBackToItsDefault() {
        var created = http.post(
                "/api/scripts",
                json(Map.of(
                        "name",
                        "patched",
                        "code",
                        "export default async () => 1;",
                        "dependencies",
                        Map.of("lodash", "^4.17.21", "is-number", "^7.0.0"),
                        "cron",
                        Map.of("expression", "*/5 * * * *", "timezone", "Europe/Berlin"),
                        "timeoutSeconds",
                        20,
                        "maxConcurrency",
                        3)),
                token);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String id = created.json().get("id").asString();

        var patched = http.send(
                "PATCH",
                "/api/scripts/" + id,
                "application/merge-patch+json",
                "{\"timeoutSeconds\": 45, \"dependencies\": {\"is-number\": null}, \"maxConcurrency\": null}",
                token);
        assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
        var s = patched.json();
        assertThat(s.get("timeoutSeconds").asInt()).isEqualTo(45);
        assertThat(s.get("name").asString()).isEqualTo("patched");
        assertThat(s.get("code").asString()).isEqualTo("export default async () => 1;");
        assertThat(s.get("cron").get("expression").asString()).isEqualTo("*/5 * * * *");
        assertThat(s.get("cron").get("timezone").asString()).isEqualTo("Europe/Berlin");
        assertThat(s.get("dependencies").propertyNames()).containsExactly("lodash");
        assertThat(s.has("maxConcurrency")).isFalse();

        var noCron =
                http.send("PATCH", "/api/scripts/" + id, "application/merge-patch+json", "{\"cron\": null}", token);
        assertThat(noCron.json().has("cron")).isFalse();
        assertThat(noCron.json().get("timeoutSeconds").asInt()).isEqualTo(45);

        var unknown =
                http.send("PATCH", "/api/scripts/" + id, "application/merge-patch+json", "{\"nmae\": \"x\"}", token);
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.json().get("errors").findValuesAsString("field")).containsExactly("nmae");
        var wrongType = http.send(
                "PATCH", "/api/scripts/" + id, "application/merge-patch+json", "{\"timeoutSeconds\": \"soon\"}", token);
        assertThat(wrongType.status()).as(wrongType.toString()).isEqualTo(400);
        assertThat(wrongType.text()).contains("timeoutSeconds");
        var notJson = http.send("PATCH", "/api/scripts/" + id, "application/merge-patch+json", "{", token);
        assertThat(notJson.status()).isEqualTo(400);
        var invalid = http.send(
                "PATCH", "/api/scripts/" + id, "application/merge-patch+json", "{\"timeoutSeconds\": 0}", token);
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(http.send("PATCH", "/api/scripts/" + UUID.randomUUID(), "application/merge-patch+json", "{}", token)
                        .status())
                .isEqualTo(404);
    }

    @Test
    void aCreateThatWaitsAnswersOnceTheFirstBuildIsReadyOrHasFailed() {
        for (var state : new BuildState[] {BuildState.READY, BuildState.FAILED}) {
            String name = "waits-" + state.name().toLowerCase();
            var answer = CompletableFuture.supplyAsync(() -> http.post(
                    "/api/scripts?wait=READY", json(Map.of("name", name, "code", "export default () => 1;")), token));
            var id = new String[1];
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                for (var s : http.get("/api/scripts", token).json()) {
                    if (s.get("name").asString().equals(name))
                        id[0] = s.get("id").asString();
                }
                return id[0] != null;
            });
            assertThat(answer).isNotDone();
            platform.reportBuild(UUID.fromString(id[0]), 1, state);
            var r = answer.join();
            assertThat(r.status()).as(r.toString()).isEqualTo(201);
            assertThat(r.json().get("buildState").asString()).isEqualTo(state.name());
            if (state == BuildState.READY)
                assertThat(r.json().get("activeVersion").asInt()).isEqualTo(1);
            if (state == BuildState.FAILED) {
                // the webhook says the build failed, and why, instead of asking to wait for it
                String hook = r.json().get("webhookUrl").asString();
                var called = http.post(hook.substring(platform.baseUrl().length()), "{}", null);
                assertThat(called.status()).isEqualTo(409);
                assertThat(called.json().get("detail").asString())
                        .contains("the build of version 1 failed: npm error 404 no such package")
                        .contains("Fix it and save again")
                        .doesNotContain("must finish");
            }
        }
        var bad = http.post(
                "/api/scripts?wait=DONE", json(Map.of("name", "x", "code", "export default () => 1;")), token);
        assertThat(bad.status()).isEqualTo(400);
    }

    @Test
    void theOpenApiDocumentHasAHeadingAndOnlyTheApiAndTheWebhooks() {
        var doc = http.get("/v3/api-docs", null).json();
        assertThat(doc.get("info").get("title").asString()).isEqualTo("Cronhook API");
        assertThat(doc.get("info").get("version").asString()).isNotBlank();
        assertThat(doc.get("info").get("description").asString()).contains("Bearer");
        var paths = new ArrayList<String>(doc.get("paths").propertyNames());
        assertThat(paths).contains("/api/scripts", "/api/scripts/{id}", "/api/runs/{id}", "/hooks/{token}");
        assertThat(paths).allMatch(p -> p.startsWith("/api/") || p.startsWith("/hooks/"));
        assertThat(doc.get("paths").get("/api/scripts/{id}").has("patch")).isTrue();
    }

    @Test
    void swaggerUiIsServedAndLinkedFromThePages() throws Exception {
        var client = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NORMAL)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        var ui = client.send(
                HttpRequest.newBuilder(URI.create(platform.baseUrl() + "/swagger-ui.html"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(ui.statusCode()).isEqualTo(200);
        assertThat(ui.body()).as(ui.uri().toString()).contains("swagger-ui");
        var config = http.get("/v3/api-docs/swagger-config", null);
        assertThat(config.status()).isEqualTo(200);
        assertThat(config.json().get("url").asString()).isEqualTo("/v3/api-docs");

        var signIn = client.send(
                HttpRequest.newBuilder(URI.create(platform.baseUrl() + "/login"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(signIn.body()).contains("/assets/favicon.svg");
    }

    @Test
    void typeScriptIsRefusedOnSaveAndTryOutSayingSoAndWhere() {
        String code = """
                interface Order { id: number }
                export default async function (event: { body: Order }): Promise<Response> {
                  return Response.json({ id: event.body.id });
                }
                """;
        for (var r : new Http.Response[] {
            http.post("/api/scripts", json(Map.of("name", "typed", "code", code)), token),
            http.post("/api/try-out", json(Map.of("code", code)), token)
        }) {
            assertThat(r.status()).as(r.toString()).isEqualTo(400);
            var error = r.json().get("errors").get(0);
            assertThat(error.get("field").asString()).isEqualTo("code");
            assertThat(error.get("message").asString())
                    .startsWith("looks like TypeScript")
                    .contains("write JavaScript");
            assertThat(error.get("line").asInt()).isEqualTo(1);
            assertThat(error.get("column").asInt()).isPositive();
        }
    }
}
