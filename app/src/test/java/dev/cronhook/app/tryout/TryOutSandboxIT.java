package dev.cronhook.app.tryout;

import static dev.cronhook.app.testing.Http.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cronhook.app.testing.Http;
import dev.cronhook.app.testing.TestPlatform;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * What an attacker with an ordinary account tries through {@code POST /api/try-out} on the real platform (api and
 * try-out roles, a real Docker engine): read the host and the platform's files, reach its database, Redis and HTTP
 * ports, see its processes, write outside /tmp, read its environment, and leave a process running after the try-out.
 * Every attempt must fail.
 */
class TryOutSandboxIT {
    static TestPlatform platform;
    static Http http;
    static String mallory;

    static final String PROBE = """
            import fs from "node:fs";
            import net from "node:net";
            import { spawn } from "node:child_process";

            const attempt = (f) => { try { return "GOT:" + String(f()).slice(0, 200); } catch (e) { return "DENIED:" + (e.code ?? e.message); } };
            const connect = (port) => new Promise((resolve) => {
              const socket = net.connect({ host: "127.0.0.1", port });
              const timer = setTimeout(() => { socket.destroy(); resolve("DENIED:TIMEOUT"); }, 3000);
              socket.once("connect", () => { clearTimeout(timer); socket.destroy(); resolve("CONNECTED"); });
              socket.once("error", (e) => { clearTimeout(timer); resolve("DENIED:" + e.code); });
            });

            export default async function (event) {
              const probe = event.body;
              const r = {};
              r.shadow = attempt(() => fs.readFileSync("/etc/shadow", "utf8"));
              r.bait = attempt(() => fs.readFileSync(probe.bait, "utf8"));
              r.home = attempt(() => fs.readdirSync(probe.home).join(","));
              r.dockerSocket = attempt(() => fs.statSync("/var/run/docker.sock").isSocket());
              r.writeEtc = attempt(() => fs.writeFileSync("/etc/pwned", "x"));
              r.writeRoot = attempt(() => fs.writeFileSync("/pwned", "x"));
              r.writeCode = attempt(() => fs.writeFileSync(new URL("./script.mjs", import.meta.url), "x"));
              r.writeTmp = attempt(() => { fs.writeFileSync("/tmp/mine", "x"); return "ok"; });
              r.uid = process.getuid();
              r.env = Object.keys(process.env).sort();
              r.processes = fs.readdirSync("/proc").filter((p) => /^\\d+$/.test(p))
                .map((p) => attempt(() => fs.readFileSync(`/proc/${p}/cmdline`, "utf8").replaceAll("\\0", " ")));
              r.connect = {};
              for (const [name, port] of Object.entries(probe.ports)) r.connect[name] = await connect(port);
              // a process that means to outlive the try-out: detached, in a session of its own, unreferenced
              const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 600000)", probe.marker],
                { detached: true, stdio: "ignore" });
              child.unref();
              r.childStarted = typeof child.pid === "number";
              return r;
            }
            """;

    @BeforeAll
    static void start() {
        platform = TestPlatform.start("api,try-out", Map.of());
        http = platform.http;
        String admin = http.login("admin", TestPlatform.ADMIN_PASSWORD);
        var created =
                http.post("/api/users", json(Map.of("username", "mallory", "password", "mallory-password")), admin);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        mallory = http.login("mallory", "mallory-password");
    }

    @AfterAll
    static void stop() {
        if (platform != null) platform.close();
    }

    @Test
    void aTryOutOfAnOrdinaryUserReachesNothingOfTheHostOrThePlatformAndLeavesNothingRunning() throws Exception {
        var bait = platform.home().resolve("secret.key");
        Files.writeString(bait, "the-key-of-every-secret");
        String marker = "cronhook-escape-" + UUID.randomUUID();
        int httpPort = URI.create(http.base()).getPort();
        int redisPort = URI.create(platform.redisUrl()).getPort();
        try (var management = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            var accepted = new AtomicInteger();
            Thread.ofVirtual().start(() -> {
                while (!management.isClosed()) {
                    try (var s = management.accept()) {
                        accepted.incrementAndGet();
                    } catch (java.io.IOException e) {
                        return;
                    }
                }
            });

            var r = http.post(
                    "/api/try-out",
                    json(Map.of(
                            "code",
                            PROBE,
                            "event",
                            Map.of(
                                    "body",
                                    Map.of(
                                            "bait",
                                            bait.toString(),
                                            "home",
                                            platform.home().toString(),
                                            "marker",
                                            marker,
                                            "ports",
                                            Map.of(
                                                    "postgres",
                                                    5432,
                                                    "redis",
                                                    redisPort > 0 ? redisPort : 6379,
                                                    "api",
                                                    httpPort,
                                                    "management",
                                                    management.getLocalPort()))))),
                    mallory);

            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            assertThat(r.json().get("status").asString()).as(r.toString()).isEqualTo("SUCCEEDED");
            JsonNode result = r.json().get("result");
            assertThat(result.get("shadow").asString()).startsWith("DENIED");
            assertThat(result.get("bait").asString()).startsWith("DENIED");
            assertThat(result.get("home").asString()).startsWith("DENIED");
            assertThat(result.get("dockerSocket").asString()).startsWith("DENIED");
            assertThat(result.get("writeEtc").asString()).startsWith("DENIED");
            assertThat(result.get("writeRoot").asString()).startsWith("DENIED");
            assertThat(result.get("writeCode").asString()).startsWith("DENIED");
            assertThat(result.get("writeTmp").asString()).isEqualTo("GOT:ok");
            assertThat(result.get("uid").asInt()).isEqualTo(65532);
            for (String port : List.of("postgres", "redis", "api", "management")) {
                assertThat(result.at("/connect/" + port).asString())
                        .as("connecting to the platform's " + port + " port")
                        .startsWith("DENIED");
            }
            assertThat(accepted).as("connections the management port saw").hasValue(0);
            var processes = new HashSet<String>();
            result.get("processes").forEach(p -> processes.add(p.asString()));
            assertThat(processes)
                    .as("processes the try-out can see")
                    .noneMatch(p -> p.contains("java") || p.contains("postgres") || p.contains("redis"));
            var env = new HashSet<String>();
            result.get("env").forEach(e -> env.add(e.asString()));
            assertThat(env)
                    .as("the try-out's environment")
                    .allMatch(name -> !name.startsWith("CRONHOOK")
                            && !name.startsWith("JAVA")
                            && !name.startsWith("MAVEN")
                            && !name.contains("PASSWORD"));
            assertThat(env).isSubsetOf("PATH", "HOME", "TMPDIR", "NODE_OPTIONS", "NODE_ENV", "HOSTNAME");
            assertThat(result.get("childStarted").asBoolean()).isTrue();
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(ProcessHandle.allProcesses()
                        .filter(p -> p.info().commandLine().orElse("").contains(marker))
                        .toList())
                .as("processes the try-out left running on the host")
                .isEmpty());
    }

    @Test
    void twoTryOutsNeverShareASandbox() {
        String code = """
                import fs from "node:fs";
                export default () => {
                  const seen = fs.existsSync("/tmp/left-behind") ? fs.readFileSync("/tmp/left-behind", "utf8") : null;
                  fs.writeFileSync("/tmp/left-behind", "a previous try-out");
                  return { seen, host: process.env.HOSTNAME ?? null };
                };
                """;
        var first =
                http.post("/api/try-out", json(Map.of("code", code)), mallory).json();
        var second =
                http.post("/api/try-out", json(Map.of("code", code)), mallory).json();

        assertThat(first.get("status").asString()).as(first.toString()).isEqualTo("SUCCEEDED");
        assertThat(second.at("/result/seen").isNull()).as(second.toString()).isTrue();
        assertThat(second.at("/result/host").asString())
                .isNotEqualTo(first.at("/result/host").asString());
    }

    @Test
    void aTryOutOfASavedScriptHasItsSecretsMaskedAndNoneOfAnotherUsers() {
        String admin = http.login("admin", TestPlatform.ADMIN_PASSWORD);
        assertThat(http.put("/api/secrets/ADMIN_ONLY", json(Map.of("value", "the-admins-secret")), admin)
                        .status())
                .isBetween(200, 204);
        var adminScript = http.post(
                        "/api/scripts", json(Map.of("name", "admins", "code", "export default async () => 1")), admin)
                .json()
                .get("id")
                .asString();
        var script = http.post(
                        "/api/scripts", json(Map.of("name", "mine", "code", "export default async () => 1")), mallory)
                .json()
                .get("id")
                .asString();
        assertThat(http.put(
                                "/api/scripts/" + script + "/secrets/API_KEY",
                                json(Map.of("value", "mallorys-api-key")),
                                mallory)
                        .status())
                .isBetween(200, 204);
        String code = """
                export default async () => {
                  console.log("key is", process.env.API_KEY);
                  return { key: process.env.API_KEY, admins: process.env.ADMIN_ONLY ?? null };
                };
                """;

        var unsaved =
                http.post("/api/try-out", json(Map.of("code", code)), mallory).json();
        var saved = http.post("/api/try-out", json(Map.of("code", code, "scriptId", script)), mallory);
        var someoneElses = http.post("/api/try-out", json(Map.of("code", code, "scriptId", adminScript)), mallory);

        assertThat(unsaved.at("/result/key").isMissingNode())
                .as(unsaved.toString())
                .isTrue();
        assertThat(saved.status()).as(saved.toString()).isEqualTo(200);
        assertThat(saved.json().at("/result/key").asString()).as("masked").isEqualTo("***");
        assertThat(saved.json().at("/result/admins").isNull()).isTrue();
        assertThat(saved.json().get("logs").findValuesAsString("text")).containsExactly("key is ***");
        assertThat(saved.text()).doesNotContain("mallorys-api-key");
        assertThat(someoneElses.status()).as(someoneElses.toString()).isEqualTo(404);
    }
}
