package dev.cronhook.executor.runtime.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import com.sun.net.httpserver.HttpServer;
import dev.cronhook.core.net.EgressPolicy;
import dev.cronhook.core.net.PrivateAddressGuard;
import dev.cronhook.core.run.RunStatus;
import dev.cronhook.core.run.TriggerKind;
import dev.cronhook.core.wire.Wire;
import dev.cronhook.executor.egress.EgressObserver;
import dev.cronhook.executor.egress.EgressProxy;
import dev.cronhook.executor.runtime.HarnessScriptRuntime;
import dev.cronhook.executor.runtime.Invocation;
import dev.cronhook.executor.runtime.LogStream;
import dev.cronhook.executor.runtime.Outcome;
import dev.cronhook.executor.runtime.RuntimeLimits;
import dev.cronhook.executor.runtime.ScriptRuntimeContract;
import dev.cronhook.executor.runtime.TestPythonScripts;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * A Python script's outbound HTTP in Docker: urllib and http.client go through the executor's egress proxy (the
 * harness tunnels {@code socket.create_connection}), to an allowed host only, never to a private address. The allowed
 * upstream is a server on 127.0.0.1 behind the proxy's test-only host mapping; no traffic leaves 127.0.0.0/8.
 */
class DockerPythonEgressIT {
    static final String HOST = "api.example.test";
    static final String OWNER = "it-python-egress-" + UUID.randomUUID();
    static final AtomicInteger platformHits = new AtomicInteger();
    static DockerClient docker;
    static String image;
    static HttpServer upstream;
    static HttpServer platform;

    @TempDir
    static Path sockets;

    final UUID scriptId = UUID.randomUUID();
    DockerScriptRuntime runtime;

    @BeforeAll
    static void start() throws Exception {
        docker = TestEngine.client();
        image = TestPythonScripts.image();
        upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        upstream.createContext("/hello", exchange -> {
            byte[] body = "hello from upstream".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        upstream.start();
        platform = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        platform.createContext("/", exchange -> {
            platformHits.incrementAndGet();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        platform.start();
    }

    @AfterAll
    static void stop() {
        upstream.stop(0);
        platform.stop(0);
        TestEngine.removeContainersOf(docker, OWNER);
    }

    @BeforeEach
    void startRuntime() {
        runtime = new DockerScriptRuntime(
                docker,
                "none",
                OWNER,
                RuntimeLimits.defaults(),
                HarnessScriptRuntime.WarmSettings.defaults(),
                sockets,
                DockerScriptRuntime.OCI_AUTO);
        runtime.egressProxy(new EgressProxy(
                PrivateAddressGuard.strict(),
                Map.of(
                        HOST + ":80",
                        new InetSocketAddress("127.0.0.1", upstream.getAddress().getPort())),
                EgressObserver.NONE));
    }

    @AfterEach
    void closeRuntime() {
        runtime.close();
    }

    @Test
    void urllibAndHttpClientReachAnAllowedHostThroughTheProxyAndNothingElse() {
        int port = platform.getAddress().getPort();
        var result = succeeded(run(
                "urlopen",
                Map.of(
                        "urls",
                        List.of(
                                "http://" + HOST + "/hello",
                                "http://other.example.test/",
                                "http://127.0.0.1:" + port + "/",
                                "http://169.254.169.254/latest/meta-data/"),
                        "direct",
                        Map.of("host", HOST, "port", 80)),
                List.of(HOST, "127.0.0.1:*", "169.254.169.254")));

        assertThat(result.at("/http:~1~1" + HOST + "~1hello/body").asString()).isEqualTo("hello from upstream");
        assertThat(result.at("/direct/body").asString()).isEqualTo("hello from upstream");
        assertThat(result.at("/http:~1~1other.example.test~1/cause").asString())
                .isEqualTo("egress to other.example.test:80 blocked: not in this script's allow-list");
        assertThat(result.at("/http:~1~1127.0.0.1:" + port + "~1/cause").asString())
                .isEqualTo("egress to 127.0.0.1:" + port + " blocked: private address");
        assertThat(result.at("/http:~1~1169.254.169.254~1latest~1meta-data~1/cause")
                        .asString())
                .endsWith("blocked: private address");
        assertThat(platformHits.get()).isZero();
    }

    @Test
    void aRefusalTheScriptDoesNotCatchIsInTheRunsErrorAndLog() {
        var logs = new ScriptRuntimeContract.Logs();

        var outcome = run("urlopenUncaught", Map.of("url", "http://evil.example.test/"), List.of(), logs);

        assertThat(outcome.status()).isEqualTo(RunStatus.FAILED);
        assertThat(outcome.error()).contains("egress to evil.example.test:80 blocked: not in this script's allow-list");
        assertThat(logs.of(LogStream.STDERR))
                .contains("cronhook: egress to evil.example.test:80 blocked: not in this script's allow-list");
    }

    private Outcome run(String scenario, Map<String, Object> event, List<String> allow) {
        return run(scenario, event, allow, new ScriptRuntimeContract.Logs());
    }

    private Outcome run(
            String scenario, Map<String, Object> event, List<String> allow, ScriptRuntimeContract.Logs logs) {
        var body = new LinkedHashMap<String, Object>(event);
        body.put("scenario", scenario);
        return runtime.run(
                new Invocation(
                        UUID.randomUUID(),
                        scriptId,
                        1,
                        image,
                        TriggerKind.MANUAL,
                        Wire.json().writeValueAsString(body),
                        Duration.ofSeconds(60),
                        128,
                        Map.of(),
                        null,
                        EgressPolicy.of(allow)),
                logs);
    }

    private static JsonNode succeeded(Outcome outcome) {
        assertThat(outcome.status()).as(String.valueOf(outcome.error())).isEqualTo(RunStatus.SUCCEEDED);
        return Wire.json().readTree(outcome.resultJson());
    }
}
