package dev.cronhook.app.cli;

import static dev.cronhook.app.testing.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cronhook.app.testing.Http;
import dev.cronhook.app.testing.TestPlatform;
import dev.cronhook.cli.Cli;
import dev.cronhook.cli.Terminal;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Runs the CLI in this JVM, as a user of a test platform, and what the tests around it need. */
final class CliRunner {
    static final JsonMapper JSON = JsonMapper.builder().build();

    /** What one invocation ended with. */
    record Result(int exit, String out, String err) {
        JsonNode json() {
            return JSON.readTree(out);
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** A user of the platform: the CLI's environment for them (their token, their own config directory). */
    record User(String name, String token, Map<String, String> env) {}

    private CliRunner() {}

    static Result cli(Map<String, String> env, Path cwd, String stdin, String... args) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        var terminal = new Terminal(
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                env,
                cwd);
        int exit = Cli.run(args, terminal);
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Result cli(User user, Path cwd, String... args) {
        return cli(user.env(), cwd, "", args);
    }

    /** A new user of the platform, signed in; the CLI finds the platform and token in its environment. */
    static User newUser(TestPlatform platform, String adminToken, Path home) {
        String name = "u" + UUID.randomUUID().toString().substring(0, 8);
        String password = "password-of-" + name;
        var created =
                platform.http.post("/api/users", json(Map.of("username", name, "password", password)), adminToken);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String token = platform.http.login(name, password);
        return new User(name, token, env(platform, token, home));
    }

    /** The environment of a CLI process: HOME and XDG_CONFIG_HOME under {@code home}, and the platform's URL. */
    static Map<String, String> env(TestPlatform platform, String token, Path home) {
        var env = new HashMap<String, String>();
        env.put("HOME", home.toString());
        env.put("XDG_CONFIG_HOME", home.resolve(".config").toString());
        env.put("CRONHOOK_URL", platform.baseUrl());
        if (token != null) env.put("CRONHOOK_TOKEN", token);
        return env;
    }

    /** Writes files under {@code dir} (path to text) and returns {@code dir}. */
    static Path write(Path dir, Map<String, String> files) {
        try {
            for (var f : files.entrySet()) {
                Path p = dir.resolve(f.getKey());
                Files.createDirectories(p.getParent());
                Files.writeString(p, f.getValue());
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Calls a webhook with a JSON body and returns the answer's body. */
    static HttpResponse<String> call(String url, String body) {
        return Http.postJson(url, body);
    }

    /** The platform's started with the real builder (registry on 127.0.0.1:5000), Docker executor and try-out. */
    static TestPlatform startPlatform() {
        return TestPlatform.start(
                "api,builder,executor,try-out",
                Map.of(
                        "cronhook.builder.target", "registry",
                        "cronhook.builder.registry", "127.0.0.1:5000",
                        "cronhook.executor.runtime", "docker",
                        "cronhook.webhooks.sync-timeout", "20s"));
    }
}
