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
 * The README's first command on a fresh data directory: the packaged jar, started with no configuration, brings
 * up its own PostgreSQL and Redis (as root too), answers readiness, prints the admin password once, and keeps
 * the scripts across a restart.
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

    private Process start(Path home, int port, Path log) throws IOException {
        var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var pb = new ProcessBuilder(List.of(java, "-jar", jar().toString()))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("CRONHOOK_"));
        pb.environment().put("CRONHOOK_HOME", home.toString());
        pb.environment().put("CRONHOOK_PORT", Integer.toString(port));
        return pb.start();
    }

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

        var http = new Http("http://127.0.0.1:" + port);
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

    /** The first line of a pid file, as a number. */
    private static long firstNumber(Path pidFile) throws IOException {
        return Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
    }
}
