package dev.cronhook.app.security;

import static dev.cronhook.app.testing.Http.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cronhook.app.testing.Http;
import dev.cronhook.app.testing.TestPlatform;
import dev.cronhook.app.testing.WireExecutor;
import dev.cronhook.core.run.RunRequest;
import dev.cronhook.core.secret.WorkerCredential;
import dev.cronhook.executor.config.ExecutorName;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Nothing of the platform is given away to whoever reads a queue message or reaches a port: a run request taken
 * off the runs stream does not get its owner's secrets without the workers' own credential, {@code /internal} is
 * not served on the public port, the first password can be changed, and an executor's start removes what an
 * earlier start of the same replica left behind.
 */
class PlatformLockdownIT {
    static TestPlatform platform;
    static Http http;
    static String admin;
    static final HttpClient client =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() {
        // no executor in this process: the runs wait in the stream, where anything that can read Redis finds them
        platform = TestPlatform.start("api", Map.of());
        http = platform.http;
        admin = http.login("admin", TestPlatform.ADMIN_PASSWORD);
    }

    @AfterAll
    static void stop() {
        if (platform != null) platform.close();
    }

    @Test
    void aRunRequestTakenFromTheStreamDoesNotGetItsOwnersSecrets() throws Exception {
        assertThat(http.post("/api/users", json(Map.of("username", "bob", "password", "bob-password-1")), admin)
                        .status())
                .isEqualTo(201);
        String bob = http.login("bob", "bob-password-1");
        var created = http.post(
                "/api/scripts", json(Map.of("name", "bobs-script", "code", "export default async () => 1")), bob);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String scriptId = created.json().get("id").asString();
        String secret = "bobs-secret-" + UUID.randomUUID();
        assertThat(http.put("/api/scripts/" + scriptId + "/secrets/API_KEY", json(Map.of("value", secret)), bob)
                        .status())
                .isEqualTo(200);
        platform.deploy(UUID.fromString(scriptId), 1, bob);

        // the attacker: code that can read the runs stream (as a script could read an unprotected Redis)
        try (var reader = new WireExecutor(platform.redisUrl(), r -> null)) {
            var hook = call("POST", created.json().get("webhookUrl").asString() + "?async=true", Map.of());
            assertThat(hook.statusCode()).as(hook.body()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(10)).until(() -> !reader.received.isEmpty());
            RunRequest stolen = reader.received.getFirst();
            assertThat(stolen.secretsToken()).isNotBlank();
            String path = "/internal/runs/" + stolen.runId() + "/secrets";
            var runToken = Map.of("Authorization", "Run " + stolen.secretsToken());

            var onPublicPort = call("GET", platform.baseUrl() + path, runToken);
            assertThat(onPublicPort.statusCode()).isEqualTo(404);
            assertThat(onPublicPort.headers().firstValue("Content-Type").orElse(""))
                    .contains("application/problem+json");
            var withWorkerToo = new java.util.HashMap<>(runToken);
            withWorkerToo.put(WorkerCredential.HEADER, platform.internalToken());
            assertThat(call("GET", platform.baseUrl() + path, withWorkerToo).statusCode())
                    .as("not on the public port, whatever the credentials")
                    .isEqualTo(404);

            var withRunTokenOnly = call("GET", platform.managementUrl() + path, runToken);
            assertThat(withRunTokenOnly.statusCode()).isEqualTo(401);
            assertThat(withRunTokenOnly.body()).doesNotContain(secret).contains(WorkerCredential.HEADER);
            var guessed = new java.util.HashMap<>(runToken);
            guessed.put(WorkerCredential.HEADER, "guessed-" + platform.internalToken());
            var withAGuess = call("GET", platform.managementUrl() + path, guessed);
            assertThat(withAGuess.statusCode()).isEqualTo(403);
            assertThat(withAGuess.body()).doesNotContain(secret);

            // the token taken from the stream was good: only the missing worker credential kept the secret
            var asAWorker = call("GET", platform.managementUrl() + path, withWorkerToo);
            assertThat(asAWorker.statusCode()).isEqualTo(200);
            assertThat(asAWorker.body()).contains(secret);
        }
    }

    @Test
    void theManagementPortServesOnlyInternalEndpointsAndTheActuator() throws Exception {
        var management = new Http(platform.managementUrl());
        assertThat(management.get("/actuator/health/readiness", null).status()).isEqualTo(200);
        assertThat(management.get("/actuator/prometheus", null).text()).contains("jvm_memory_used_bytes");
        var api = management.get("/api/me", admin);
        assertThat(api.status()).isEqualTo(404);
        assertThat(api.contentType()).contains("application/problem+json");
        assertThat(http.get("/actuator/health/readiness", null).status())
                .as("probes keep the public port")
                .isEqualTo(200);
        assertThat(http.get("/actuator/prometheus", null).status()).isEqualTo(404);
    }

    @Test
    void withTheManagementPortOffInternalEndpointsAreServedNowhere() throws Exception {
        try (var off = TestPlatform.start("api", Map.of("cronhook.management.port", "-1"))) {
            var internal = call(
                    "GET",
                    off.baseUrl() + "/internal/runs/" + UUID.randomUUID() + "/secrets",
                    Map.of(WorkerCredential.HEADER, off.internalToken(), "Authorization", "Run x"));
            assertThat(internal.statusCode()).isEqualTo(404);
            assertThat(off.http.get("/actuator/health/readiness", null).status())
                    .isEqualTo(200);
        }
    }

    @Test
    void aUserChangesTheirPasswordAndTheOldOneStopsWorking() {
        http.post("/api/users", json(Map.of("username", "carol", "password", "first-password")), admin);
        String session = http.login("carol", "first-password");
        String otherSession = http.login("carol", "first-password");
        var apiToken = http.post("/api/tokens", json(Map.of("name", "ci")), session);
        assertThat(apiToken.status()).isEqualTo(201);
        String ci = apiToken.json().get("token").asString();

        var wrongCurrent = http.put(
                "/api/users/me/password",
                json(Map.of("currentPassword", "not-it-at-all", "newPassword", "second-password")),
                session);
        assertThat(wrongCurrent.status()).isEqualTo(400);
        assertThat(wrongCurrent.contentType()).contains("application/problem+json");
        assertThat(wrongCurrent.json().get("errors").get(0).get("field").asString())
                .isEqualTo("currentPassword");

        var tooShort = http.put(
                "/api/users/me/password",
                json(Map.of("currentPassword", "first-password", "newPassword", "short")),
                session);
        assertThat(tooShort.status()).isEqualTo(400);
        assertThat(tooShort.json().get("errors").get(0).get("field").asString()).isEqualTo("newPassword");
        assertThat(http.put("/api/users/me/password", json(Map.of("newPassword", "second-password")), session)
                        .json()
                        .get("errors")
                        .get(0)
                        .get("field")
                        .asString())
                .isEqualTo("currentPassword");
        assertThat(http.put(
                                "/api/users/me/password",
                                json(Map.of("currentPassword", "first-password", "password", "x")),
                                session)
                        .status())
                .as("an unknown field")
                .isEqualTo(400);
        assertThat(http.put(
                                "/api/users/me/password",
                                json(Map.of("currentPassword", "first-password", "newPassword", "second-password")),
                                null)
                        .status())
                .isEqualTo(401);
        assertThat(http.post("/api/auth/login", json(Map.of("username", "carol", "password", "first-password")), null)
                        .status())
                .as("nothing changed yet")
                .isEqualTo(200);

        var changed = http.put(
                "/api/users/me/password",
                json(Map.of("currentPassword", "first-password", "newPassword", "second-password")),
                session);
        assertThat(changed.status()).as(changed.toString()).isEqualTo(204);

        var old = http.post("/api/auth/login", json(Map.of("username", "carol", "password", "first-password")), null);
        assertThat(old.status()).isEqualTo(401);
        assertThat(http.login("carol", "second-password")).isNotBlank();
        assertThat(http.get("/api/me", session).status())
                .as("the session that changed it")
                .isEqualTo(200);
        assertThat(http.get("/api/me", otherSession).status())
                .as("another session ends")
                .isEqualTo(401);
        assertThat(http.get("/api/me", ci).status()).as("API tokens stay").isEqualTo(200);
    }

    @Test
    void anExecutorsStartRemovesTheContainersAnEarlierStartOfTheSameReplicaLeft() throws Exception {
        assertThat(docker("version").exitCode).as("a Docker engine answers").isZero();
        var home = Files.createTempDirectory("cronhook-executor-home-");
        Map<String, String> settings = Map.of(
                "cronhook.home", home.toString(),
                "cronhook.executor.runtime", "docker",
                "cronhook.executor.socket-dir",
                        Files.createTempDirectory("chk-s-").toString());
        String name;
        try (var first = TestPlatform.start("executor", settings)) {
            name = first.bean(ExecutorName.class).value();
        }
        // what a kill -9 leaves: containers labelled with the replica's name, which nobody removes
        var image = "cronhook-test/empty:leftover";
        assertThat(docker("sh", "-c", "tar cf - --files-from /dev/null | docker import - " + image).exitCode)
                .isZero();
        String leftover = docker("create", "--label", "dev.cronhook.executor=" + name, image, "/none")
                .out
                .strip();
        String someoneElses = docker("create", "--label", "dev.cronhook.executor=" + name + "-other", image, "/none")
                .out
                .strip();
        try {
            try (var again = TestPlatform.start("executor", settings)) {
                assertThat(again.bean(ExecutorName.class).value())
                        .as("the same replica has the same name")
                        .isEqualTo(name);
                assertThat(docker("inspect", leftover).exitCode)
                        .as("the leftover is gone")
                        .isNotZero();
                assertThat(docker("inspect", someoneElses).exitCode)
                        .as("another executor's container stays")
                        .isZero();
            }
        } finally {
            docker("rm", "-f", leftover, someoneElses);
        }
    }

    @Test
    void twoExecutorsInOneJvmOnOneHomeHaveDifferentNames() throws Exception {
        var home = Files.createTempDirectory("cronhook-executor-home-");
        Map<String, String> settings = Map.of("cronhook.home", home.toString(), "cronhook.executor.runtime", "process");
        try (var one = TestPlatform.start("executor", settings);
                var two = TestPlatform.start("executor", settings)) {
            assertThat(one.bean(ExecutorName.class).value())
                    .isNotEqualTo(two.bean(ExecutorName.class).value());
        }
    }

    private static HttpResponse<String> call(String method, String url, Map<String, String> headers)
            throws IOException, InterruptedException {
        var b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        headers.forEach(b::header);
        b.method(method, HttpRequest.BodyPublishers.noBody());
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private record Result(int exitCode, String out) {}

    private static Result docker(String... args) throws IOException, InterruptedException {
        var command = new ArrayList<String>();
        if (!args[0].equals("sh")) command.add("docker");
        command.addAll(List.of(args));
        var p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS)) p.destroyForcibly();
        return new Result(p.exitValue(), out);
    }
}
