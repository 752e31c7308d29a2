package dev.cronhook.app.security;

import static dev.cronhook.app.testing.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cronhook.app.testing.TestPlatform;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A lost admin password is reset on the host, from the command line, without the web server: the app's main with
 * {@code reset-password <user>} (what {@code ./cronhook reset-password admin} runs), in a process of its own, on
 * the platform's database given as CRONHOOK_DB_URL.
 */
class ResetPasswordCommandIT {
    static TestPlatform platform;

    @BeforeAll
    static void start() {
        platform = TestPlatform.start("api", Map.of());
    }

    @AfterAll
    static void stop() {
        if (platform != null) platform.close();
    }

    record Ran(int exit, String out, String err) {}

    private static Ran resetPassword(String stdin, String... args) throws IOException, InterruptedException {
        return resetPassword(
                Map.of(
                        "CRONHOOK_DB_URL",
                        platform.jdbcUrl(),
                        "CRONHOOK_DB_USERNAME",
                        "postgres",
                        // not the platform's home: the command needs nothing from it when given a database
                        "CRONHOOK_HOME",
                        Files.createTempDirectory("cronhook-cli-").toString()),
                stdin,
                args);
    }

    private static Ran resetPassword(Map<String, String> environment, String stdin, String... args)
            throws IOException, InterruptedException {
        var command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "dev.cronhook.app.CronhookApplication",
                "reset-password"));
        command.addAll(List.of(args));
        var pb = new ProcessBuilder(command);
        pb.environment().keySet().removeIf(k -> k.startsWith("CRONHOOK_"));
        pb.environment().putAll(environment);
        Path out = Files.createTempFile("reset-out", ".txt");
        Path err = Files.createTempFile("reset-err", ".txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        var process = pb.start();
        process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
        try {
            assertThat(process.waitFor(120, TimeUnit.SECONDS))
                    .as("the command ends by itself")
                    .isTrue();
            return new Ran(process.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            // a command that did not end (on main: a whole platform started) is not left running
            process.destroyForcibly();
        }
    }

    @Test
    void theAdminPasswordIsResetFromTheCommandLineWithThePasswordOnStdin() throws Exception {
        String session = platform.http.login("admin", TestPlatform.ADMIN_PASSWORD);

        var ran = resetPassword("a-new-admin-password\n", "admin");

        // on main: the argument is ignored and a whole platform starts (and never exits)
        assertThat(ran.exit()).as(ran.toString()).isZero();
        assertThat(ran.out()).contains("The password of 'admin' is reset");
        assertThat(platform.http.login("admin", "a-new-admin-password")).isNotBlank();
        var old = platform.http.post(
                "/api/auth/login", json(Map.of("username", "admin", "password", TestPlatform.ADMIN_PASSWORD)), null);
        assertThat(old.status()).isEqualTo(401);
        // the sessions end; the cache of a token lookup lasts a few seconds at most
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(15))
                .until(() -> platform.http.get("/api/me", session).status() == 401);

        var generated = resetPassword("", "admin");
        assertThat(generated.exit()).as(generated.toString()).isZero();
        var printed = generated
                .out()
                .lines()
                .filter(l -> l.startsWith("New password of 'admin': "))
                .findFirst()
                .orElseThrow();
        assertThat(platform.http.login("admin", printed.substring("New password of 'admin': ".length())))
                .isNotBlank();
    }

    @Test
    void onAHomeAnotherProcessHoldsWithoutItsDatabaseUpTheCommandStartsNothingAndSaysWhy() throws Exception {
        Path home = Files.createTempDirectory("cronhook-home-");
        try (var held = dev.cronhook.app.embedded.HomeLock.acquire(home)) {
            var ran = resetPassword(Map.of("CRONHOOK_HOME", home.toString()), "a-new-password-1\n", "admin");

            assertThat(ran.exit()).isEqualTo(1);
            assertThat(ran.err())
                    .contains("the password was not reset")
                    .contains("CRONHOOK_HOME " + home + " is in use");
            assertThat(home.resolve("postgres/data"))
                    .as("no PostgreSQL made or started")
                    .doesNotExist();
        }
    }

    @Test
    void anUnknownUserOrAShortPasswordIsRefusedWithAReason() throws Exception {
        var unknown = resetPassword("some-long-password\n", "nobody-here");
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.err()).contains("there is no user 'nobody-here'");

        var tooShort = resetPassword("short\n", "admin");
        assertThat(tooShort.exit()).isEqualTo(2);
        assertThat(tooShort.err()).contains("at least 8 characters");
    }
}
