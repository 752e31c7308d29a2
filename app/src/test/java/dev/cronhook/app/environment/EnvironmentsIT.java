package dev.cronhook.app.environment;

import static dev.cronhook.app.testing.Http.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cronhook.app.testing.Http;
import dev.cronhook.app.testing.TestPlatform;
import dev.cronhook.executor.runtime.ScriptRuntime;
import dev.cronhook.executor.runtime.docker.DockerScriptRuntime;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Multi-file scripts, environments and promotion (issue 22) on the real parts: the builder bakes every file into the
 * image it pushes to the registry on 127.0.0.1:5000, the executor runs it in Docker, and a promotion gives prod the
 * very image dev built.
 */
class EnvironmentsIT {
    static final JsonMapper JSON = JsonMapper.builder().build();
    static TestPlatform platform;
    static Http http;
    static String token;

    static final String INDEX = """
            import { greet } from "./lib/greet.mjs";
            import { readFileSync } from "node:fs";
            import ms from "ms";
            const data = JSON.parse(readFileSync(new URL("./data/config.json", import.meta.url), "utf8"));
            export default async function (event) {
              return { text: greet(event.body?.name ?? "nobody", data.greeting), ms: ms("2s"),
                       key: process.env.API_KEY === undefined ? null : process.env.API_KEY.startsWith("prod-") };
            }
            """;
    static final String GREET = """
            export function greet(name, greeting) { return `${greeting}, ${name}!`; }
            """;

    @BeforeAll
    static void start() {
        platform = TestPlatform.start(
                "api,builder,executor,try-out",
                Map.of(
                        "cronhook.builder.target", "registry",
                        "cronhook.builder.registry", "127.0.0.1:5000",
                        "cronhook.executor.runtime", "docker",
                        "cronhook.webhooks.sync-timeout", "20s"));
        http = platform.http;
        token = http.login("admin", TestPlatform.ADMIN_PASSWORD);
    }

    @AfterAll
    static void stop() {
        if (platform != null) platform.close();
    }

    static Map<String, String> files(String greeting) {
        var files = new LinkedHashMap<String, String>();
        files.put("index.mjs", INDEX);
        files.put("lib/greet.mjs", GREET);
        files.put("data/config.json", "{\"greeting\": \"" + greeting + "\"}");
        files.put("package.json", "{\"name\": \"x\", \"dependencies\": {\"ms\": \"2.1.3\"}}");
        return files;
    }

    static Map<String, Object> script(String name, Map<String, String> files, String environment) {
        var body = new HashMap<String, Object>();
        body.put("name", name);
        body.put("files", files);
        if (environment != null) body.put("environment", environment);
        return body;
    }

    /** Waits until the script's latest version is built and active; returns the script. */
    static JsonNode active(String id) {
        await().atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofMillis(300))
                .until(() -> {
                    var s = http.get("/api/scripts/" + id, token).json();
                    if (s.get("buildState").asString().equals("FAILED")) throw new AssertionError("build failed: " + s);
                    return s.path("activeVersion").asInt(0) == s.get("version").asInt();
                });
        return http.get("/api/scripts/" + id, token).json();
    }

    static JsonNode created(Map<String, Object> body) {
        var r = http.post("/api/scripts", json(body), token);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return active(r.json().get("id").asString());
    }

    static JsonNode call(String url, String body) {
        var response = Http.postJson(url, body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    static String unique(String name) {
        return name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void theExecutorKeepsBlankContainersReadyForTenantsNewToItFromTheTryOutsBlankImage() {
        // the try-out role of this process builds the blank image; the executor role then keeps two containers of its
        // default memory started from it, for the first call of a user's environment it has no container for
        var runtime = platform.bean(ScriptRuntime.class);
        assertThat(runtime).isInstanceOf(DockerScriptRuntime.class);
        await().atMost(Duration.ofMinutes(2)).until(() -> ((DockerScriptRuntime) runtime).blanksReady(256) == 2);
    }

    @Test
    void aScriptOfSeveralFilesImportsItsModulesReadsItsDataAndGetsItsDependenciesFromPackageJson() {
        var s = created(script(unique("multi"), files("Hello"), null));

        assertThat(s.get("environment").asString()).isEqualTo("dev");
        assertThat(JSON.convertValue(s.get("dependencies"), Map.class)).isEqualTo(Map.of("ms", "2.1.3"));
        assertThat(s.get("files").propertyNames())
                .containsExactly("index.mjs", "data/config.json", "lib/greet.mjs")
                .doesNotContain("package.json");
        assertThat(s.get("code").asString()).isEqualTo(INDEX);

        var result = call(s.get("webhookUrl").asString(), "{\"name\":\"Ada\"}");
        assertThat(result.get("text").asString()).isEqualTo("Hello, Ada!");
        assertThat(result.get("ms").asInt()).isEqualTo(2000);
    }

    @Test
    void theSameFilesAgainMakeNoNewVersionAndOneChangedFileMakesExactlyOne() {
        var s = created(script(unique("versions"), files("Hello"), null));
        String id = s.get("id").asString();

        var same = http.put("/api/scripts/" + id, json(script(s.get("name").asString(), files("Hello"), null)), token);
        assertThat(same.status()).as(same.toString()).isEqualTo(200);
        assertThat(same.json().get("version").asInt()).isEqualTo(1);

        var changed = files("Hello");
        changed.put("lib/greet.mjs", "export function greet(name, greeting) { return `${greeting} ${name}?`; }\n");
        var next = http.put("/api/scripts/" + id, json(script(s.get("name").asString(), changed, null)), token);
        assertThat(next.json().get("version").asInt()).isEqualTo(2);
        var after = active(id);
        assertThat(after.get("files").get("lib/greet.mjs").asString()).contains("?");
        assertThat(call(after.get("webhookUrl").asString(), "{\"name\":\"Bo\"}")
                        .get("text")
                        .asString())
                .isEqualTo("Hello Bo?");

        // a merge patch of one file changes that file only
        var patched = http.send(
                "PATCH",
                "/api/scripts/" + id,
                "application/merge-patch+json",
                "{\"files\": {\"data/config.json\": \"{\\\"greeting\\\": \\\"Hi\\\"}\"}}",
                token);
        assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
        assertThat(patched.json().get("version").asInt()).isEqualTo(3);
        assertThat(patched.json().get("files").get("lib/greet.mjs").asString()).contains("?");
        var versions = http.get("/api/scripts/" + id + "/versions", token).json();
        assertThat(versions.get(0).get("files").get("data/config.json").asString())
                .contains("Hi");
    }

    @Test
    void badFilesAreRefusedWithTheFileAndTheReason() {
        var bad = new LinkedHashMap<String, String>();
        bad.put("lib/../../etc/passwd", "x");
        bad.put(".env", "SECRET=1");
        bad.put("node_modules/evil/index.js", "x");
        bad.put("harness.mjs", "x");
        bad.put("package.json", "{not json");
        var r = http.post("/api/scripts", json(script(unique("bad"), bad, null)), token);
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        var fields = r.json().get("errors").findValuesAsString("field");
        assertThat(fields)
                .contains(
                        "files.lib/../../etc/passwd",
                        "files..env",
                        "files.node_modules/evil/index.js",
                        "files.harness.mjs",
                        "files.package.json",
                        "files");
        assertThat(r.text()).contains("must include the entry index.mjs");

        var conflicting = script(unique("conflict"), files("Hello"), null);
        conflicting.put("code", "export default () => 1;");
        var c = http.post("/api/scripts", json(conflicting), token);
        assertThat(c.status()).isEqualTo(400);
        assertThat(c.json().get("errors").findValuesAsString("field")).contains("code");

        var broken = files("Hello");
        broken.put("lib/greet.mjs", "export function greet( {");
        var syntax = http.post("/api/scripts", json(script(unique("syntax"), broken, null)), token);
        assertThat(syntax.status()).isEqualTo(400);
        assertThat(syntax.json().get("errors").findValuesAsString("field")).contains("files.lib/greet.mjs");
    }

    @Test
    void environmentsKeepTheirOwnScriptsWebhooksAndSecretsAndUnknownOnesAreNamed() {
        String name = unique("twins");
        var dev = created(script(name, files("Hello"), "dev"));
        var staging = http.post("/api/environments", "{\"name\":\"staging\"}", token);
        assertThat(staging.status()).isIn(201, 409);
        var inStaging = created(script(name, files("Hello"), "staging"));
        assertThat(inStaging.get("webhookUrl").asString())
                .isNotEqualTo(dev.get("webhookUrl").asString());
        assertThat(http.get("/api/scripts?environment=staging", token).json().findValuesAsString("name"))
                .contains(name);
        assertThat(http.get("/api/scripts?environment=dev", token).json().findValuesAsString("environment"))
                .containsOnly("dev");

        assertThat(http.put("/api/secrets/API_KEY?environment=staging", "{\"value\":\"prod-1\"}", token)
                        .status())
                .isEqualTo(200);
        assertThat(http.put("/api/secrets/API_KEY", "{\"value\":\"dev-1\"}", token)
                        .status())
                .isEqualTo(200);
        assertThat(call(dev.get("webhookUrl").asString(), "{}").get("key").asBoolean())
                .isFalse();
        assertThat(call(inStaging.get("webhookUrl").asString(), "{}").get("key").asBoolean())
                .isTrue();
        assertThat(http.get("/api/secrets?environment=staging", token).json().findValuesAsString("name"))
                .contains("API_KEY");
        assertThat(http.get("/api/secrets?environment=staging", token).text()).doesNotContain("prod-1");

        var unknown = http.post("/api/scripts", json(script(unique("nowhere"), files("Hello"), "qa")), token);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().get("detail").asString()).contains("'qa'").contains("dev, prod");
        assertThat(http.get("/api/scripts?environment=qa", token).status()).isEqualTo(404);
        assertThat(http.get("/api/secrets?environment=qa", token).status()).isEqualTo(404);

        var moved = script(name, files("Hello"), "prod");
        var move = http.put("/api/scripts/" + dev.get("id").asString(), json(moved), token);
        assertThat(move.status()).isEqualTo(400);
        assertThat(move.text()).contains("promote");
        assertThat(http.post("/api/scripts", json(script(name, files("Hello"), "dev")), token)
                        .status())
                .isEqualTo(409);
    }

    @Test
    void promotionGivesAProtectedEnvironmentTheVeryImageAndIsTheOnlyWayToChangeIt() {
        var user = otherUser();
        String name = "promoted";
        var devScript = http.post("/api/scripts", json(script(name, files("Hello"), null)), user);
        assertThat(devScript.status()).isEqualTo(201);
        String devId = devScript.json().get("id").asString();
        await().atMost(Duration.ofMinutes(3))
                .until(() -> http.get("/api/scripts/" + devId, user)
                                .json()
                                .path("activeVersion")
                                .asInt(0)
                        == 1);
        String devDigest = http.get("/api/scripts/" + devId + "/versions", user)
                .json()
                .get(0)
                .get("imageDigest")
                .asString();
        assertThat(http.put("/api/environments/prod", "{\"protected\":true}", user)
                        .json()
                        .get("protected")
                        .asBoolean())
                .isTrue();
        var refused = http.post("/api/scripts", json(script(name, files("Hello"), "prod")), user);
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.json().get("detail").asString()).contains("prod is protected");

        var promoted = http.post("/api/environments/prod/promote", "{\"from\":\"dev\"}", user);
        assertThat(promoted.status()).as(promoted.toString()).isEqualTo(200);
        var p = promoted.json().get("promoted").get(0);
        assertThat(p.get("changed").asBoolean()).isTrue();
        assertThat(p.get("imageDigest").asString()).isEqualTo(devDigest);
        String prodId = p.get("id").asString();
        assertThat(prodId).isNotEqualTo(devId);
        var prod = http.get("/api/scripts/" + prodId, user).json();
        assertThat(prod.get("environment").asString()).isEqualTo("prod");
        assertThat(prod.get("activeVersion").asInt()).isEqualTo(1);
        assertThat(prod.get("files"))
                .isEqualTo(http.get("/api/scripts/" + devId, user).json().get("files"));
        var prodVersion =
                http.get("/api/scripts/" + prodId + "/versions", user).json().get(0);
        assertThat(prodVersion.get("imageDigest").asString()).isEqualTo(devDigest);
        assertThat(prodVersion.get("buildState").asString()).isEqualTo("READY");
        assertThat(call(p.get("webhookUrl").asString(), "{\"name\":\"prod\"}")
                        .get("text")
                        .asString())
                .isEqualTo("Hello, prod!");

        var again =
                http.post("/api/environments/prod/promote", "{\"from\":\"dev\",\"scripts\":[\"" + name + "\"]}", user);
        assertThat(again.json().get("promoted").get(0).get("changed").asBoolean())
                .isFalse();
        assertThat(http.get("/api/scripts/" + prodId, user)
                        .json()
                        .get("version")
                        .asInt())
                .isEqualTo(1);

        var change = http.put("/api/scripts/" + prodId, json(script(name, files("Changed"), null)), user);
        assertThat(change.status()).isEqualTo(403);
        assertThat(http.delete("/api/scripts/" + prodId, user).status()).isEqualTo(403);
        assertThat(http.put("/api/secrets/API_KEY?environment=prod", "{\"value\":\"prod-2\"}", user)
                        .status())
                .isEqualTo(200);
        assertThat(http.post("/api/scripts/" + prodId + "/pause", "{}", user).status())
                .isEqualTo(200);

        var missing = http.post("/api/environments/prod/promote", "{\"from\":\"dev\",\"scripts\":[\"nope\"]}", user);
        assertThat(missing.status()).isEqualTo(409);
        assertThat(missing.json().get("detail").asString()).contains("nope");
        assertThat(http.post("/api/environments/qa/promote", "{\"from\":\"dev\"}", user)
                        .status())
                .isEqualTo(404);
    }

    @Test
    void aTryOutRunsSeveralFiles() {
        var body = new HashMap<String, Object>();
        body.put("files", files("Try"));
        body.put("event", Map.of("body", Map.of("name", "out")));
        var r = http.post("/api/try-out", json(body), token);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json().get("status").asString()).as(r.toString()).isEqualTo("SUCCEEDED");
        assertThat(r.json().get("result").get("text").asString()).isEqualTo("Try, out!");
    }

    /** A fresh user's token: promotion and protection act on every script of an environment. */
    static String otherUser() {
        String username = "u" + UUID.randomUUID().toString().substring(0, 8);
        var created = http.post(
                "/api/users", "{\"username\":\"" + username + "\",\"password\":\"a-long-password-1\"}", token);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return http.login(username, "a-long-password-1");
    }
}
