package dev.cronhook.app.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;

/** The embedded Redis requires a password that only the platform's user can read, and nobody can see it run. */
class EmbeddedRedisIT {

    @Test
    void theEmbeddedRedisRefusesAClientWithoutThePassword() throws Exception {
        Path home = Files.createTempDirectory("cronhook-redis-home-");
        try (var redis = EmbeddedRedis.start(home)) {
            int port = URI.create(redis.address()).getPort();
            assertThat(ask(port, "PING")).startsWith("-NOAUTH");
            assertThat(ask(port, "XRANGE cronhook:runs - +")).startsWith("-NOAUTH");
            assertThat(ask(port, "AUTH default guessed")).startsWith("-WRONGPASS");

            String password = Files.readString(home.resolve("redis/password")).trim();
            assertThat(password).hasSizeGreaterThanOrEqualTo(32);
            assertThat(redis.url()).contains(password);
            assertThat(redis.address()).doesNotContain(password);
            assertThat(Files.getPosixFilePermissions(home.resolve("redis/password")))
                    .isEqualTo(PosixFilePermissions.fromString("rw-------"));
            assertThat(Files.getPosixFilePermissions(home.resolve("redis/redis.conf")))
                    .isEqualTo(PosixFilePermissions.fromString("rw-------"));
            long pid = Long.parseLong(Files.readAllLines(home.resolve("redis/redis.pid"))
                    .getFirst()
                    .trim());
            String commandLine = Files.readString(Path.of("/proc/" + pid + "/cmdline"));
            assertThat(commandLine).as("what ps shows everyone").doesNotContain(password);

            var client = RedisClient.create(redis.url());
            try (var c = client.connect()) {
                assertThat(c.sync().ping()).isEqualTo("PONG");
                c.sync().set("kept", "across a restart");
            } finally {
                client.shutdown();
            }
        }
    }

    @Test
    void aDataDirectoryFromBeforePasswordsGetsOneAndKeepsItsData() throws Exception {
        Path home = Files.createTempDirectory("cronhook-redis-home-");
        try (var redis = EmbeddedRedis.start(home)) {
            var client = RedisClient.create(redis.url());
            try (var c = client.connect()) {
                c.sync().set("kept", "across a restart");
            } finally {
                client.shutdown();
            }
        }
        // as a data directory of an earlier version: no password file, no configuration file
        Files.delete(home.resolve("redis/password"));
        Files.delete(home.resolve("redis/redis.conf"));
        try (var redis = EmbeddedRedis.start(home)) {
            assertThat(home.resolve("redis/password")).exists();
            assertThat(ask(URI.create(redis.address()).getPort(), "PING")).startsWith("-NOAUTH");
            var client = RedisClient.create(redis.url());
            try (var c = client.connect()) {
                assertThat(c.sync().get("kept")).isEqualTo("across a restart");
            } finally {
                client.shutdown();
            }
        }
    }

    /** Sends one inline command on a new connection, as a script that found the port would; returns the reply. */
    private static String ask(int port, String command) throws IOException {
        try (var socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
            byte[] reply = new byte[256];
            int n = socket.getInputStream().read(reply);
            return n <= 0 ? "" : new String(reply, 0, n, StandardCharsets.US_ASCII);
        }
    }
}
