package dev.cronhook.executor.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cronhook.core.run.RunStatus;
import dev.cronhook.core.run.TriggerKind;
import dev.cronhook.core.wire.Wire;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * What a script written to harm the platform or other users must fail to do, whatever runtime runs it; each adapter's
 * IT extends this with its runtime and image (the scenarios script). The scenarios report what they managed; the
 * test judges.
 */
public abstract class HostileScriptContract {
    /** What a script's environment may hold besides what its invocation gives it. */
    protected static final Set<String> HARMLESS_BASE =
            Set.of("PATH", "HOME", "TMPDIR", "NODE_OPTIONS", "HOSTNAME", "PWD", "SHLVL", "LANG", "TZ", "_");

    private static final int POSTGRES = 5432;
    private static final int REDIS = 6379;

    protected ScriptRuntime runtime;

    /** What a script's environment may hold besides its secrets: {@link #HARMLESS_BASE} and the language's own. */
    protected boolean harmless(String name) {
        return HARMLESS_BASE.contains(name);
    }

    private final UUID scriptId = UUID.randomUUID();

    @TempDir
    Path cronhookHome;

    protected abstract ScriptRuntime newRuntime(RuntimeLimits limits);

    /** The scenarios script as this runtime runs it (an image or a bundle). */
    protected abstract String image();

    protected RuntimeLimits limits() {
        return RuntimeLimits.defaults().withMaxLogLines(200).withMaxResultBytes(64 * 1024);
    }

    @BeforeEach
    void startRuntime() {
        runtime = newRuntime(limits());
    }

    @AfterEach
    void closeRuntime() {
        runtime.close();
    }

    /**
     * Whether a script's processes are processes of this host that {@code ps} shows with their arguments (runc, crun,
     * bubblewrap); under gVisor they live in its own kernel, so the host cannot see them to begin with.
     */
    protected boolean scriptProcessesAreHostProcesses() {
        return true;
    }

    @Test
    void aScriptCannotReadTheShadowFileNorTheHomeOfThePlatform() throws IOException {
        Path secret = Files.writeString(cronhookHome.resolve("secret.key"), "the platform's key");

        var result = succeeded(run(
                "readFiles",
                Map.of(
                        "files", List.of("/etc/shadow", secret.toString()),
                        "dirs", List.of(cronhookHome.toString()))));

        assertThat(result.get("/etc/shadow").asString()).isNotEqualTo("read");
        assertThat(result.get(secret.toString()).asString()).isNotEqualTo("read");
        assertThat(result.get(cronhookHome.toString()).asString()).isNotEqualTo("listed");
    }

    @Test
    void aScriptCannotConnectToTheDatabaseRedisOrAPortOfThePlatform() throws Exception {
        assertThat(listening(POSTGRES))
                .as("PostgreSQL must listen on 5432 for this to prove anything")
                .isTrue();
        assertThat(listening(REDIS))
                .as("Redis must listen on 6379 for this to prove anything")
                .isTrue();
        try (var management = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            var accepted = acceptCounting(management);
            int port = management.getLocalPort();

            var result = succeeded(run(
                    "connect",
                    Map.of(
                            "targets",
                            List.of(
                                    target(POSTGRES),
                                    target(REDIS),
                                    target(port),
                                    Map.of("host", "localhost", "port", port)))));

            assertThat(result.get("127.0.0.1:" + POSTGRES).asString()).isNotEqualTo("connected");
            assertThat(result.get("127.0.0.1:" + REDIS).asString()).isNotEqualTo("connected");
            assertThat(result.get("127.0.0.1:" + port).asString()).isNotEqualTo("connected");
            assertThat(result.get("localhost:" + port).asString()).isNotEqualTo("connected");
            assertThat(accepted.get()).as("connections the platform's port saw").isZero();
        }
    }

    @Test
    void aScriptCannotSeeAnotherRunsProcessesFilesOrPorts() {
        String marker = "cronhook-other-" + UUID.randomUUID();
        int port = 20_000 + (int) (Math.random() * 20_000);
        var otherLogs = new ScriptRuntimeContract.Logs();
        var cancellation = new Cancellation();
        var other = runtime.runAsync(
                invocation(
                        UUID.randomUUID(),
                        "stay",
                        Map.of("marker", marker, "port", port, "millis", 60_000),
                        Map.of(),
                        cancellation),
                otherLogs);
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> otherLogs.all().contains("staying") || other.isDone());
            assertThat(other).isNotDone();
            if (scriptProcessesAreHostProcesses()) {
                assertThat(hostProcessesWith(marker))
                        .as("the other run's child, seen from the host")
                        .isNotEmpty();
            }

            var result = succeeded(run("snoop", Map.of("marker", marker, "port", port)));

            assertThat(result.get("inProc").valueStream().toList()).isEmpty();
            assertThat(result.get("inTmp").valueStream().toList()).isEmpty();
            assertThat(result.get("port").asString()).isNotEqualTo("connected");
        } finally {
            cancellation.cancel();
            other.join();
        }
    }

    @Test
    void aScriptCannotWriteOutsideTmp() {
        var result = succeeded(run(
                "writeEverywhere",
                Map.of(
                        "paths",
                        List.of("/app/evil.txt", "/evil.txt", "/etc/evil.txt", "/usr/evil.txt", "/tmp/fine.txt"))));

        assertThat(result.get("/tmp/fine.txt").asString()).isEqualTo("wrote");
        for (String path : List.of("/app/evil.txt", "/evil.txt", "/etc/evil.txt", "/usr/evil.txt")) {
            assertThat(result.get(path).asString()).as(path).isNotEqualTo("wrote");
        }
        if (result.has("HOME")) assertThat(result.get("HOME").asString()).isNotEqualTo("wrote");
    }

    @Test
    void noProcessAScriptStartedOutlivesItsRun() {
        String marker = "cronhook-left-" + UUID.randomUUID();

        var result = succeeded(run("leaveChildren", Map.of("marker", marker)));

        assertThat(result.at("/started/detached").asString()).isEqualTo("started");
        assertThat(result.at("/started/doubleFork").asString()).isEqualTo("started");
        assertThat(result.at("/started/ignoresHangup").asString()).isEqualTo("started");
        assertThat(result.get("alive").asInt())
                .as("processes the script saw alive as it returned")
                .isGreaterThanOrEqualTo(3);
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(hostProcessesWith(marker)).isEmpty());
        var next = succeeded(run("snoop", Map.of("marker", marker, "port", 1)));
        assertThat(next.get("inProc").valueStream().toList())
                .as("the next call of the same version")
                .isEmpty();
    }

    @Test
    void aForkBombIsContainedAndTheNextRunSucceeds() {
        String marker = "cronhook-bomb-" + UUID.randomUUID();

        var outcome = runtime.run(
                invocation(scriptId, "forkBombTree", Map.of("marker", marker, "millis", 20_000), Map.of(), null),
                new ScriptRuntimeContract.Logs());

        assertThat(outcome.status()).isNotEqualTo(RunStatus.SUCCEEDED);
        if (scriptProcessesAreHostProcesses()) {
            // where the host sees the sandbox's cgroup the run fails for a limit (node processes fill the memory
            // limit about as soon as the pids limit), not for whatever the bomb broke
            assertThat(outcome.error()).isIn(Sandbox.PROCESS_LIMIT, Sandbox.MEMORY_LIMIT);
        }
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(hostProcessesWith(marker)).isEmpty());
        assertThat(runtime.run(
                                invocation(scriptId, "trivial", Map.of(), Map.of(), null),
                                new ScriptRuntimeContract.Logs())
                        .status())
                .isEqualTo(RunStatus.SUCCEEDED);
    }

    @Test
    void aMemoryBombInAChildProcessIsContainedAndTheNextRunSucceeds() {
        String marker = "cronhook-memory-" + UUID.randomUUID();

        var outcome = runtime.run(
                invocation(scriptId, "memoryBombInChild", Map.of("marker", marker), Map.of(), null),
                new ScriptRuntimeContract.Logs());

        assertThat(outcome.status()).isEqualTo(RunStatus.FAILED);
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(hostProcessesWith(marker)).isEmpty());
        assertThat(runtime.run(
                                invocation(scriptId, "trivial", Map.of(), Map.of(), null),
                                new ScriptRuntimeContract.Logs())
                        .status())
                .isEqualTo(RunStatus.SUCCEEDED);
    }

    /**
     * The limits' counters are read after every call of a warm sandbox; a child the memory limit killed in a sandbox
     * that has served (and been read after) a call before fails its run for the limit, not only for what the script
     * made of its child's death.
     */
    @Test
    void aChildKilledByTheMemoryLimitInAWarmSandboxFailsItsRunForTheLimit() {
        assertThat(runtime.run(
                                invocation(scriptId, "trivial", Map.of(), Map.of(), null),
                                new ScriptRuntimeContract.Logs())
                        .status())
                .isEqualTo(RunStatus.SUCCEEDED);
        String marker = "cronhook-memory-" + UUID.randomUUID();

        var outcome = runtime.run(
                invocation(scriptId, "memoryBombInChild", Map.of("marker", marker), Map.of(), null),
                new ScriptRuntimeContract.Logs());

        assertThat(outcome.status()).isEqualTo(RunStatus.FAILED);
        if (scriptProcessesAreHostProcesses()) assertThat(outcome.error()).startsWith(Sandbox.MEMORY_LIMIT);
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(hostProcessesWith(marker)).isEmpty());
    }

    @Test
    void aScriptsEnvironmentHoldsOnlyItsOwnSecretsAndAHarmlessBase() {
        String first = "first-" + UUID.randomUUID();
        String second = "second-" + UUID.randomUUID();

        var one = succeeded(runtime.run(
                invocation(scriptId, "environment", Map.of(), Map.of("FIRST_SECRET", first), null),
                new ScriptRuntimeContract.Logs()));
        var two = succeeded(runtime.run(
                invocation(scriptId, "environment", Map.of(), Map.of("SECOND_SECRET", second), null),
                new ScriptRuntimeContract.Logs()));

        assertThat(names(one)).contains("FIRST_SECRET");
        assertThat(one.get("FIRST_SECRET").asString()).isEqualTo(first);
        assertThat(names(two)).contains("SECOND_SECRET").doesNotContain("FIRST_SECRET");
        assertThat(two.toString()).doesNotContain(first);
        for (var env : List.of(one, two)) {
            assertThat(names(env))
                    .allSatisfy(name -> assertThat(name)
                            .satisfiesAnyOf(n -> assertThat(harmless(n)).isTrue(), n -> assertThat(n)
                                    .isIn("FIRST_SECRET", "SECOND_SECRET")))
                    .noneMatch(name -> name.startsWith("CRONHOOK_") || name.startsWith("JAVA_"));
            System.getenv().forEach((name, value) -> {
                if (!harmless(name))
                    assertThat(names(env)).as("the test JVM's " + name).doesNotContain(name);
            });
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    private Outcome run(String scenario, Map<String, Object> fields) {
        return runtime.run(invocation(scriptId, scenario, fields, Map.of(), null), new ScriptRuntimeContract.Logs());
    }

    private Invocation invocation(
            UUID script,
            String scenario,
            Map<String, Object> fields,
            Map<String, String> env,
            Cancellation cancellation) {
        var event = new LinkedHashMap<String, Object>(fields);
        event.put("scenario", scenario);
        return new Invocation(
                UUID.randomUUID(),
                script,
                1,
                image(),
                TriggerKind.WEBHOOK,
                Wire.json().writeValueAsString(event),
                Duration.ofSeconds(90),
                128,
                env,
                cancellation);
    }

    private static JsonNode succeeded(Outcome outcome) {
        assertThat(outcome.status())
                .as("the scenario's run: " + outcome.error())
                .isEqualTo(RunStatus.SUCCEEDED);
        return Wire.json().readTree(outcome.resultJson());
    }

    private static List<String> names(JsonNode env) {
        return env.propertyNames().stream().toList();
    }

    private static Map<String, Object> target(int port) {
        return Map.of("host", "127.0.0.1", "port", port);
    }

    /** The command lines of the processes on this host that carry the marker (root sees every process's). */
    protected static List<String> hostProcessesWith(String marker) {
        return ProcessHandle.allProcesses()
                .filter(ProcessHandle::isAlive)
                .map(p -> p.info().commandLine().orElse(""))
                .filter(line -> line.contains(marker))
                // the test JVM's own threads never carry it; a zombie has no command line
                .toList();
    }

    private static boolean listening(int port) {
        try (var socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Accepts (and counts) every connection the server socket gets, on a virtual thread, until it is closed. */
    private static AtomicInteger acceptCounting(ServerSocket server) {
        var accepted = new AtomicInteger();
        Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try (var socket = server.accept()) {
                    accepted.incrementAndGet();
                } catch (IOException e) {
                    return;
                }
            }
        });
        return accepted;
    }
}
