package dev.cronhook.executor.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.cronhook.core.net.EgressPolicy;
import dev.cronhook.core.net.PrivateAddressGuard;
import dev.cronhook.core.run.RunStatus;
import dev.cronhook.core.run.TriggerKind;
import dev.cronhook.core.wire.Wire;
import dev.cronhook.executor.egress.EgressObserver;
import dev.cronhook.executor.egress.EgressProxy;
import java.io.FileInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * A script's outbound network in a real sandbox, whatever runtime runs it: only through the executor's egress proxy,
 * only to hosts on its allow-list, never to a private address. The allowed upstream is a server on 127.0.0.1 behind
 * the proxy's test-only host mapping ({@code api.example.test}); the "platform's port" is another server on 127.0.0.1
 * that no test may reach. No test sends traffic outside 127.0.0.0/8 and ::1 (the sandbox has no route there at all).
 * Each runtime's IT extends this with its runtime and the scenarios script.
 */
public abstract class EgressContract {
    protected static final String HOST = "api.example.test";
    static HttpServer upstream;
    static HttpsServer secureUpstream;
    static HttpServer platform;
    static final AtomicInteger platformHits = new AtomicInteger();
    protected static String caPem;

    @TempDir
    protected static Path keys;

    protected final UUID scriptId = UUID.randomUUID();
    protected final List<String> events = new CopyOnWriteArrayList<>();
    protected ScriptRuntime runtime;

    /** A runtime of the kind under test whose sandboxes get gates of {@code proxy}. */
    protected abstract ScriptRuntime newRuntime(EgressProxy proxy);

    /** The scenarios script as this runtime runs it (an image or a bundle). */
    protected abstract String image();

    @BeforeAll
    static void startServers() throws Exception {
        platform = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        platform.createContext("/", exchange -> {
            platformHits.incrementAndGet();
            reply(exchange, 200, "the platform's secret");
        });
        platform.start();
        upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        upstream.createContext("/hello", exchange -> reply(exchange, 200, "hello from upstream"));
        upstream.createContext("/redirect", exchange -> {
            exchange.getResponseHeaders()
                    .add("Location", "http://127.0.0.1:" + platform.getAddress().getPort() + "/secret");
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        });
        upstream.start();
        secureUpstream = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        secureUpstream.setHttpsConfigurator(new HttpsConfigurator(testCertificate()));
        secureUpstream.createContext("/hello", exchange -> reply(exchange, 200, "hello over TLS"));
        secureUpstream.start();
    }

    @AfterAll
    static void stopServers() {
        platform.stop(0);
        upstream.stop(0);
        secureUpstream.stop(0);
    }

    @BeforeEach
    void startRuntime() {
        var observer = new EgressObserver() {
            @Override
            public void connected(UUID id) {
                events.add("connected " + id);
            }

            @Override
            public void blocked(UUID id, String reason) {
                events.add("blocked " + id + " " + reason);
            }

            @Override
            public void carried(UUID id, long out, long in) {
                events.add("carried " + id + " " + out + " " + in);
            }
        };
        var proxy = new EgressProxy(
                PrivateAddressGuard.strict(),
                Map.of(
                        HOST + ":80",
                                new InetSocketAddress(
                                        "127.0.0.1", upstream.getAddress().getPort()),
                        HOST + ":443",
                                new InetSocketAddress(
                                        "127.0.0.1", secureUpstream.getAddress().getPort())),
                observer,
                caPem.getBytes(StandardCharsets.US_ASCII));
        runtime = newRuntime(proxy);
        platformHits.set(0);
    }

    @AfterEach
    void closeRuntime() {
        runtime.close();
    }

    @Test
    void anAllowedHostIsReachedWithFetchAndWithNodesHttpAndHttpsThroughTheProxy() {
        var result = succeeded(run(
                "fetchUrls",
                Map.of("urls", List.of("http://" + HOST + "/hello", "https://" + HOST + "/hello")),
                List.of(HOST)));
        assertThat(result.at("/http:~1~1" + HOST + "~1hello/status").asInt()).isEqualTo(200);
        assertThat(result.at("/http:~1~1" + HOST + "~1hello/body").asString()).isEqualTo("hello from upstream");
        // the test CA reaches the sandbox as the operator's extra CA certificates (NODE_EXTRA_CA_CERTS)
        assertThat(result.at("/https:~1~1" + HOST + "~1hello/body").asString())
                .as("%s", result)
                .isEqualTo("hello over TLS");

        var viaModules = succeeded(run(
                "requestUrls",
                Map.of("urls", List.of("http://" + HOST + "/hello", "https://" + HOST + "/hello"), "ca", caPem),
                List.of(HOST)));
        assertThat(viaModules.at("/http:~1~1" + HOST + "~1hello/body").asString())
                .isEqualTo("hello from upstream");
        assertThat(viaModules.at("/https:~1~1" + HOST + "~1hello/status").asInt())
                .as("%s", viaModules)
                .isEqualTo(200);
        assertThat(viaModules.at("/https:~1~1" + HOST + "~1hello/body").asString())
                .isEqualTo("hello over TLS");

        var ownAgent = succeeded(run(
                "requestUrls",
                Map.of("urls", List.of("https://" + HOST + "/hello"), "ca", caPem, "ownAgent", true),
                List.of(HOST)));
        assertThat(ownAgent.at("/https:~1~1" + HOST + "~1hello/body").asString())
                .isEqualTo("hello over TLS");

        assertThat(events).contains("connected " + scriptId);
        var carried = events.stream()
                .filter(e -> e.startsWith("carried " + scriptId))
                .map(e -> e.split(" "))
                .toList();
        assertThat(carried.stream().mapToLong(e -> Long.parseLong(e[2])).sum()).isPositive();
        assertThat(carried.stream().mapToLong(e -> Long.parseLong(e[3])).sum()).isPositive();
    }

    @Test
    void callsOfTwoScriptsTakingTurnsEachReachTheirHostOverConnectionsOfTheirOwn() {
        // where the two share a sandbox, the proxy cuts one script's tunnels when the other's call begins: a
        // connection kept alive in the first one's call must not be reused by the next
        var other = UUID.randomUUID();
        var urls = Map.<String, Object>of("urls", List.of("http://" + HOST + "/hello", "https://" + HOST + "/hello"));
        for (var script : List.of(scriptId, other, scriptId, other)) {
            var result = succeeded(run(script, "fetchUrls", urls, List.of(HOST), new ScriptRuntimeContract.Logs()));
            assertThat(result.at("/http:~1~1" + HOST + "~1hello/body").asString())
                    .as("%s", result)
                    .isEqualTo("hello from upstream");
            assertThat(result.at("/https:~1~1" + HOST + "~1hello/body").asString())
                    .as("%s", result)
                    .isEqualTo("hello over TLS");
        }
    }

    @Test
    void aHostNotOnTheListIsRefusedAtOnceAndTheRunsErrorAndLogSayWhy() {
        var result = succeeded(run(
                "fetchUrls",
                Map.of("urls", List.of("http://other.example.test/", "http://" + HOST + ":8080/hello")),
                List.of(HOST)));
        assertThat(result.at("/http:~1~1other.example.test~1/cause").asString())
                .isEqualTo("egress to other.example.test:80 blocked: not in this script's allow-list");
        assertThat(result.at("/http:~1~1" + HOST + ":8080~1hello/cause").asString())
                .isEqualTo("egress to " + HOST + ":8080 blocked: not in this script's allow-list");

        var logs = new ScriptRuntimeContract.Logs();
        var outcome = run("fetchUncaught", Map.of("url", "https://evil.example.test/"), List.of(), logs);
        assertThat(outcome.status()).isEqualTo(RunStatus.FAILED);
        assertThat(outcome.error())
                .isEqualTo("fetch failed (egress to evil.example.test:443 blocked: not in this script's allow-list)");
        assertThat(logs.of(LogStream.STDERR))
                .contains("cronhook: egress to evil.example.test:443 blocked: not in this script's allow-list");
        assertThat(events.stream().filter(e -> e.equals("blocked " + scriptId + " " + EgressProxy.NOT_ALLOWED)))
                .hasSize(3);
    }

    @Test
    void privateAndLoopbackAddressesAreRefusedWhateverTheListSays() {
        int port = platform.getAddress().getPort();
        var urls = List.of(
                "http://127.0.0.1:" + port + "/",
                "http://localhost:" + port + "/",
                "http://[::1]:" + port + "/",
                "http://[::ffff:127.0.0.1]:" + port + "/",
                "http://10.0.0.5/",
                "http://169.254.169.254/latest/meta-data/",
                "http://0.0.0.0:" + port + "/");

        var result = succeeded(run("fetchUrls", Map.of("urls", urls), List.of("*:*")));

        for (String url : urls) {
            assertThat(result.get(url).path("cause").asString())
                    .as(url + ": " + result.get(url))
                    .startsWith("egress to ")
                    .endsWith(" blocked: private address");
        }
        assertThat(platformHits.get())
                .as("requests the platform's port received")
                .isZero();
        assertThat(events).contains("blocked " + scriptId + " " + EgressProxy.PRIVATE);
    }

    @Test
    void aRedirectToAPrivateAddressIsRefused() {
        var result =
                succeeded(run("fetchUrls", Map.of("urls", List.of("http://" + HOST + "/redirect")), List.of("*:*")));

        assertThat(result.at("/http:~1~1" + HOST + "~1redirect/cause").asString())
                .isEqualTo("egress to 127.0.0.1:" + platform.getAddress().getPort() + " blocked: private address");
        assertThat(platformHits.get()).isZero();
    }

    @Test
    void rawSocketsAndDnsHaveNoRouteAtAll() {
        int port = platform.getAddress().getPort();

        var result = succeeded(run(
                "rawNetwork",
                Map.of(
                        "targets",
                        List.of(Map.of("host", "127.0.0.1", "port", port), Map.of("host", "::1", "port", port)),
                        "name",
                        HOST),
                List.of("*:*")));

        assertThat(result.get("127.0.0.1:" + port).asString()).isNotEqualTo("connected");
        assertThat(result.get("::1:" + port).asString()).isNotEqualTo("connected");
        assertThat(result.get("lookup").asString()).doesNotContain(".");
        assertThat(result.get("resolve4").asString()).doesNotContain(".");
        assertThat(platformHits.get()).isZero();
    }

    @Test
    void nothingIsAdmittedOnceTheRunHasReturned() {
        assertThat(run("fetchLater", Map.of("url", "http://" + HOST + "/hello", "millis", 300), List.of(HOST))
                        .status())
                .isEqualTo(RunStatus.SUCCEEDED);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> events.contains("blocked " + scriptId + " " + EgressProxy.NO_RUN)
                        || events.contains("connected " + scriptId));

        var later = run("readLater", Map.of(), List.of(HOST));
        assertThat(later.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(later.resultJson()).contains("blocked: " + EgressProxy.NO_RUN);
        assertThat(events).doesNotContain("connected " + scriptId);
    }

    protected Outcome run(String scenario, Map<String, Object> event, List<String> allow) {
        return run(scenario, event, allow, new ScriptRuntimeContract.Logs());
    }

    private Outcome run(
            String scenario, Map<String, Object> event, List<String> allow, ScriptRuntimeContract.Logs logs) {
        return run(scriptId, scenario, event, allow, logs);
    }

    private Outcome run(
            UUID scriptId,
            String scenario,
            Map<String, Object> event,
            List<String> allow,
            ScriptRuntimeContract.Logs logs) {
        var body = new java.util.LinkedHashMap<String, Object>(event);
        body.put("scenario", scenario);
        var invocation = new Invocation(
                UUID.randomUUID(),
                scriptId,
                1,
                image(),
                TriggerKind.MANUAL,
                Wire.json().writeValueAsString(body),
                Duration.ofSeconds(60),
                128,
                Map.of(),
                null,
                EgressPolicy.of(allow));
        return runtime.run(invocation, logs);
    }

    protected static JsonNode succeeded(Outcome outcome) {
        assertThat(outcome.status()).as(String.valueOf(outcome.error())).isEqualTo(RunStatus.SUCCEEDED);
        return Wire.json().readTree(outcome.resultJson());
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    /** A self-signed certificate for {@link #HOST}, made with the JDK's keytool; it is its own CA. */
    private static SSLContext testCertificate() throws Exception {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Path store = keys.resolve("upstream.p12");
        exec(
                keytool.toString(),
                "-genkeypair",
                "-alias",
                "upstream",
                "-keyalg",
                "EC",
                "-dname",
                "CN=" + HOST,
                "-ext",
                "SAN=dns:" + HOST,
                "-validity",
                "2",
                "-keystore",
                store.toString(),
                "-storetype",
                "PKCS12",
                "-storepass",
                "changeit");
        Path pem = keys.resolve("upstream.pem");
        exec(
                keytool.toString(),
                "-exportcert",
                "-rfc",
                "-alias",
                "upstream",
                "-keystore",
                store.toString(),
                "-storepass",
                "changeit",
                "-file",
                pem.toString());
        caPem = Files.readString(pem);
        var keyStore = KeyStore.getInstance("PKCS12");
        try (var in = new FileInputStream(store.toFile())) {
            keyStore.load(in, "changeit".toCharArray());
        }
        var managers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        managers.init(keyStore, "changeit".toCharArray());
        var context = SSLContext.getInstance("TLS");
        context.init(managers.getKeyManagers(), null, null);
        return context;
    }

    private static void exec(String... command) throws Exception {
        exec(null, command);
    }

    protected static void exec(Path dir, String... command) throws Exception {
        var builder = new ProcessBuilder(command).redirectErrorStream(true);
        if (dir != null) builder.directory(dir.toFile());
        var process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(180, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
        }
    }
}
