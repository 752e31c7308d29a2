package dev.cronhook.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cronhook.app.testing.Http;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The README's first command on a fresh data directory: {@code ./cronhook} (the launcher, on the packaged jar),
 * started with no configuration, brings up its own PostgreSQL and Redis (as root too; Redis with a password),
 * answers readiness, prints the admin password once, which can then be changed, keeps the scripts across a
 * restart, and leaves no credential it was given in the environment of the running process.
 */
class EmbeddedDefaultsIT {
    private Process process;

    @AfterEach
    void stop() throws Exception {
        if (process != null && process.isAlive()) {
            process.destroy();
            process.waitFor();
        }
    }

    private Path jar() {
        var dir = new File("target");
        var jars = dir.listFiles((d, name) -> name.matches("cronhook-app-.*\\.jar") && !name.endsWith("-plain.jar"));
        assertThat(jars).as("the packaged jar in app/target").isNotEmpty();
        return jars[0].toPath().toAbsolutePath();
    }

    /** The launcher, given a credential in its environment as an operator would. */
    private Process start(Path home, int port, Path log) throws IOException {
        return start(home, port, log, Map.of());
    }

    private Process start(Path home, int port, Path log, Map<String, String> settings) throws IOException {
        jar(); // the launcher would build one
        var launcher = Path.of("..", "cronhook").toAbsolutePath().normalize();
        var pb = new ProcessBuilder(List.of(launcher.toString()))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("CRONHOOK_"));
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("CRONHOOK_HOME", home.toString());
        pb.environment().put("CRONHOOK_PORT", Integer.toString(port));
        pb.environment().put("CRONHOOK_MANAGEMENT_PORT", "0");
        pb.environment().put("CRONHOOK_SECRET_KEY", SECRET_KEY);
        pb.environment().putAll(settings);
        return pb.start();
    }

    private static final String SECRET_KEY = java.util.Base64.getEncoder().encodeToString(new byte[32]);

    private static void awaitReady(int port, Process p, Path log) {
        var client =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        await().atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    assertThat(p.isAlive())
                            .as(() -> "the app exited:\n" + read(log))
                            .isTrue();
                    try {
                        var r = client.send(
                                HttpRequest.newBuilder(
                                                URI.create("http://127.0.0.1:" + port + "/actuator/health/readiness"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                        return r.statusCode() == 200 && r.body().contains("\"UP\"");
                    } catch (IOException e) {
                        return false;
                    }
                });
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log)";
        }
    }

    @Test
    void platformStartsOnEmbeddedDefaultsAndKeepsScriptsAcrossARestart() throws Exception {
        Path home = Files.createTempDirectory("cronhook-home-");
        int port = 20000 + (int) (ProcessHandle.current().pid() % 20000);
        Path log1 = home.resolve("first.log");
        process = start(home, port, log1);
        awaitReady(port, process, log1);

        await().atMost(Duration.ofSeconds(10)).until(() -> read(log1).contains("Cronhook is up"));
        var out = read(log1);
        assertThat(out)
                .contains("Embedded PostgreSQL")
                .contains("Embedded Redis")
                .contains("Cronhook is up");
        var m = Pattern.compile("password  (\\S+)").matcher(out);
        assertThat(m.find()).as("the first start prints the admin password").isTrue();
        String password = m.group(1);

        // the launcher's exec keeps the pid: this is the JVM, whose environment user code could read
        String environ = Files.readString(Path.of("/proc/" + process.pid() + "/environ"));
        assertThat(environ)
                .contains("CRONHOOK_HOME=")
                .doesNotContain("CRONHOOK_SECRET_KEY")
                .doesNotContain(SECRET_KEY);
        try (var left = Files.list(home.resolve("run"))) {
            assertThat(left.toList())
                    .as("the credentials file, read and deleted")
                    .isEmpty();
        }
        var redisPort = Pattern.compile("Embedded Redis is up at redis://127\\.0\\.0\\.1:(\\d+)")
                .matcher(out);
        assertThat(redisPort.find()).isTrue();
        assertThat(redisRefusesWithoutPassword(Integer.parseInt(redisPort.group(1))))
                .as("the embedded Redis wants a password")
                .startsWith("-NOAUTH");
        assertThat(Files.getPosixFilePermissions(home.resolve("redis/password")))
                .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));

        var http = new Http("http://127.0.0.1:" + port);
        String first = http.login("admin", password);
        // the printed password is changed at once, as the README says
        var changed = http.put(
                "/api/users/me/password",
                Http.json(Map.of("currentPassword", password, "newPassword", "a-password-of-my-own")),
                first);
        assertThat(changed.status()).as(changed.toString()).isEqualTo(204);
        password = "a-password-of-my-own";
        String token = http.login("admin", password);
        var created = http.post(
                "/api/scripts",
                Http.json(Map.of("name", "survivor", "code", "export default async () => 'still here'")),
                token);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);

        long postgres = firstNumber(home.resolve("postgres/data/postmaster.pid"));
        long redis = firstNumber(home.resolve("redis/redis.pid"));
        int before = read(log1).length();
        process.destroy(); // SIGTERM: graceful, stops the embedded servers
        assertThat(process.waitFor()).isIn(0, 143);
        // the servers stop after the app's own consumers and pools, not under them, and do stop
        assertThat(read(log1).substring(before)).doesNotContain(" ERROR ");
        assertThat(ProcessHandle.of(postgres).filter(ProcessHandle::isAlive))
                .as("PostgreSQL left running")
                .isEmpty();
        assertThat(ProcessHandle.of(redis).filter(ProcessHandle::isAlive))
                .as("Redis left running")
                .isEmpty();

        Path log2 = home.resolve("second.log");
        process = start(home, port, log2);
        awaitReady(port, process, log2);
        assertThat(read(log2)).doesNotContain("First start");
        String again = http.login("admin", password);
        var scripts = http.get("/api/scripts", again).json();
        assertThat(scripts).hasSize(1);
        assertThat(scripts.get(0).get("name").asString()).isEqualTo("survivor");
    }

    @Test
    void aSecondPlatformOnTheSameHomeIsRefusedAndTheFirstKeepsItsServers() throws Exception {
        Path home = Files.createTempDirectory("cronhook-home-");
        int port = 20000 + (int) ((ProcessHandle.current().pid() + 4099) % 20000);
        Path log = home.resolve("app.log");
        Map<String, String> settings = Map.of(
                "CRONHOOK_ROLES", "api,builder",
                "CRONHOOK_BUILDER_TARGET", "bundle",
                "CRONHOOK_ADMIN_PASSWORD", "the-admins-password");
        process = start(home, port, log, settings);
        awaitReady(port, process, log);
        long postgres = firstNumber(home.resolve("postgres/data/postmaster.pid"));

        Path secondLog = home.resolve("second.log");
        var second = start(home, port + 1, secondLog, settings);
        try {
            assertThat(second.waitFor(3, java.util.concurrent.TimeUnit.MINUTES))
                    .as("the second one stops by itself")
                    .isTrue();
            assertThat(second.exitValue()).isNotZero();
            assertThat(read(secondLog))
                    .contains("CRONHOOK_HOME " + home + " is in use")
                    .contains("(pid ");
        } finally {
            second.destroyForcibly();
        }

        assertThat(ProcessHandle.of(postgres).map(ProcessHandle::isAlive))
                .as("the first one's PostgreSQL was left alone")
                .contains(true);
        assertThat(process.isAlive()).isTrue();
        var http = new Http("http://127.0.0.1:" + port);
        String token = http.login("admin", "the-admins-password");
        assertThat(http.post(
                                "/api/scripts",
                                Http.json(Map.of("name", "still-mine", "code", "export default async () => 1")),
                                token)
                        .status())
                .isEqualTo(201);
    }

    @Test
    void aKilledEmbeddedRedisOrPostgresIsStartedAgainOnItsDataAndTheAcceptedWorkIsKept() throws Exception {
        Path home = Files.createTempDirectory("cronhook-home-");
        int port = 20000 + (int) ((ProcessHandle.current().pid() + 7919) % 20000);
        Path log = home.resolve("app.log");
        process = start(
                home,
                port,
                log,
                Map.of(
                        "CRONHOOK_ROLES", "api,builder",
                        "CRONHOOK_BUILDER_TARGET", "bundle",
                        "CRONHOOK_ADMIN_PASSWORD", "the-admins-password"));
        awaitReady(port, process, log);
        var http = new Http("http://127.0.0.1:" + port);
        String token = http.login("admin", "the-admins-password");
        String script = http.post(
                        "/api/scripts",
                        Http.json(Map.of("name", "survivor", "code", "export default async () => 'still here'")),
                        token)
                .json()
                .get("id")
                .asString();
        awaitVersionReady(http, token, script, 1);
        // no executor runs here: the manual run waits in the runs stream
        var run = http.post("/api/scripts/" + script + "/runs", Http.json(Map.of("event", Map.of())), token);
        assertThat(run.status()).as(run.toString()).isEqualTo(202);
        String runId = run.json().get("id").asString();
        // Redis writes its append-only file once a second: what was accepted a second ago is on disk
        Thread.sleep(1500);

        long redis = firstNumber(home.resolve("redis/redis.pid"));
        new ProcessBuilder("kill", "-9", Long.toString(redis)).start().waitFor();
        await().atMost(Duration.ofMinutes(1)).until(() -> {
            long now = firstNumber(home.resolve("redis/redis.pid"));
            return now != redis
                    && ProcessHandle.of(now).map(ProcessHandle::isAlive).orElse(false);
        });
        awaitReady(port, process, log);
        var redisPort = Pattern.compile("Embedded Redis is up at redis://127\\.0\\.0\\.1:(\\d+)")
                .matcher(read(log));
        assertThat(redisPort.find()).isTrue();
        String password = Files.readString(home.resolve("redis/password")).trim();
        var client = io.lettuce.core.RedisClient.create("redis://:" + password + "@127.0.0.1:" + redisPort.group(1));
        try (var c = client.connect()) {
            assertThat(c.sync().xrange("cronhook:runs", io.lettuce.core.Range.create("-", "+")))
                    .as("the run accepted before Redis was killed, still queued after its restart")
                    .anySatisfy(m -> assertThat(m.getBody().toString()).contains(runId));
        } finally {
            client.shutdown();
        }

        long postgres = firstNumber(home.resolve("postgres/data/postmaster.pid"));
        new ProcessBuilder("kill", "-9", Long.toString(postgres)).start().waitFor();
        await().atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    try {
                        long now = firstNumber(home.resolve("postgres/data/postmaster.pid"));
                        return now != postgres
                                && ProcessHandle.of(now)
                                        .map(ProcessHandle::isAlive)
                                        .orElse(false);
                    } catch (IOException | RuntimeException e) {
                        return false;
                    }
                });
        awaitReady(port, process, log);
        // the platform works on both again: the run is still recorded, and a new version is built and recorded
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(http.get("/api/runs/" + runId, token)
                        .json()
                        .get("status")
                        .asString())
                .isEqualTo("QUEUED"));
        var changed = http.put(
                "/api/scripts/" + script,
                Http.json(Map.of("name", "survivor", "code", "export default async () => 'changed'")),
                token);
        assertThat(changed.status()).as(changed.toString()).isEqualTo(200);
        awaitVersionReady(http, token, script, 2);
        assertThat(read(log))
                .contains("the embedded Redis exited unexpectedly")
                .contains("the embedded PostgreSQL exited unexpectedly")
                .contains("the embedded Redis is up again")
                .contains("the embedded PostgreSQL is up again");
    }

    private static void awaitVersionReady(Http http, String token, String script, int version) {
        await().atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> {
                    var versions = http.get("/api/scripts/" + script + "/versions", token)
                            .json();
                    boolean ready = false;
                    for (var v : versions) {
                        if (v.get("version").asInt() == version
                                && "READY".equals(v.get("buildState").asString())) ready = true;
                    }
                    assertThat(ready).as(versions.toString()).isTrue();
                });
    }

    /** What Redis answers a PING from a client that has not authenticated. */
    private static String redisRefusesWithoutPassword(int port) throws IOException {
        try (var socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write("PING\r\n".getBytes());
            byte[] reply = new byte[128];
            int n = socket.getInputStream().read(reply);
            return n <= 0 ? "" : new String(reply, 0, n);
        }
    }

    /** The first line of a pid file, as a number. */
    private static long firstNumber(Path pidFile) throws IOException {
        return Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
    }
}
