package dev.cronhook.executor.egress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.cronhook.core.net.EgressPolicy;
import dev.cronhook.core.net.PrivateAddressGuard;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The egress proxy on its own, spoken to as a sandbox's harness or an HTTP client configured with a proxy would:
 * over its Unix socket, with {@code CONNECT} and with absolute-form {@code http://} requests, against servers on
 * 127.0.0.1 (behind the test-only host mapping, or as the "private" target it must refuse).
 */
class EgressProxyIT {
    static final String HOST = "api.example.test";

    @TempDir
    Path dir;

    HttpServer upstream;
    final AtomicInteger upstreamHits = new AtomicInteger();
    final List<String> seenPaths = new CopyOnWriteArrayList<>();
    final List<String> events = new CopyOnWriteArrayList<>();
    EgressProxy.Gate gate;
    Path socket;
    final UUID scriptId = UUID.randomUUID();

    @BeforeEach
    void start() throws IOException {
        upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        upstream.createContext("/", exchange -> {
            upstreamHits.incrementAndGet();
            seenPaths.add(exchange.getRequestURI().toString() + " proxy-authorization="
                    + exchange.getRequestHeaders().getFirst("Proxy-Authorization"));
            byte[] body = "upstream says hi".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        upstream.start();
        var proxy = new EgressProxy(
                PrivateAddressGuard.strict(),
                Map.of(
                        HOST + ":80",
                        new InetSocketAddress("127.0.0.1", upstream.getAddress().getPort())),
                new EgressObserver() {
                    @Override
                    public void connected(UUID id) {
                        events.add("connected");
                    }

                    @Override
                    public void blocked(UUID id, String reason) {
                        events.add("blocked " + reason);
                    }

                    @Override
                    public void carried(UUID id, long out, long in) {
                        events.add("carried");
                    }
                });
        socket = dir.resolve(EgressProxy.socketFileName());
        gate = proxy.open(socket);
    }

    @AfterEach
    void stop() {
        gate.close();
        upstream.stop(0);
    }

    @Test
    void anAbsoluteFormRequestIsForwardedInOriginFormWithoutItsProxyHeaders() throws IOException {
        gate.admit(scriptId, EgressPolicy.of(List.of(HOST)));

        String answer = exchange("GET http://" + HOST + "/feed?x=1 HTTP/1.1\r\nHost: " + HOST
                + "\r\nProxy-Authorization: Basic c2VjcmV0\r\nProxy-Connection: keep-alive\r\n\r\n");

        assertThat(answer).startsWith("HTTP/1.1 200").endsWith("upstream says hi");
        assertThat(seenPaths).containsExactly("/feed?x=1 proxy-authorization=null");
        // counted once the proxy has closed its side too
        await().atMost(Duration.ofSeconds(10)).until(() -> events.contains("carried"));
        assertThat(events).contains("connected");
    }

    @Test
    void aConnectTunnelCarriesBytesBothWays() throws IOException {
        gate.admit(scriptId, EgressPolicy.of(List.of(HOST)));

        String answer = exchange("CONNECT " + HOST + ":80 HTTP/1.1\r\nHost: " + HOST + ":80\r\n\r\n"
                + "GET /through HTTP/1.1\r\nHost: " + HOST + "\r\nConnection: close\r\n\r\n");

        assertThat(answer).startsWith("HTTP/1.1 200 Connection Established\r\n\r\nHTTP/1.1 200");
        assertThat(answer).endsWith("upstream says hi");
        assertThat(seenPaths).containsExactly("/through proxy-authorization=null");
    }

    @Test
    void refusalsAreAnsweredAtOnceWithTheirReasonAndReachNothing() throws IOException {
        int port = upstream.getAddress().getPort();
        gate.admit(scriptId, EgressPolicy.of(List.of("*:*")));

        assertThat(exchange("CONNECT 127.0.0.1:" + port + " HTTP/1.1\r\n\r\n"))
                .startsWith("HTTP/1.1 403")
                .contains(EgressProxy.BLOCKED_HEADER + ": blocked")
                .endsWith("egress to 127.0.0.1:" + port + " blocked: private address");
        assertThat(exchange("GET http://localhost:" + port + "/ HTTP/1.1\r\n\r\n"))
                .endsWith("egress to localhost:" + port + " blocked: private address");
        assertThat(exchange("CONNECT [::ffff:7f00:1]:" + port + " HTTP/1.1\r\n\r\n"))
                .endsWith("egress to [::ffff:7f00:1]:" + port + " blocked: private address");

        gate.admit(scriptId, EgressPolicy.of(List.of(HOST)));
        assertThat(exchange("CONNECT other.example.test:443 HTTP/1.1\r\n\r\n"))
                .endsWith("egress to other.example.test:443 blocked: not in this script's allow-list");

        gate.closeCall();
        assertThat(exchange("CONNECT " + HOST + ":80 HTTP/1.1\r\n\r\n"))
                .endsWith("egress to " + HOST + ":80 blocked: no run in progress");

        assertThat(upstreamHits.get()).isZero();
        assertThat(events)
                .contains(
                        "blocked " + EgressProxy.PRIVATE,
                        "blocked " + EgressProxy.NOT_ALLOWED,
                        "blocked " + EgressProxy.NO_RUN)
                .doesNotContain("connected");
    }

    @Test
    void aPrivateAddressTheOperatorAllowedIsReachedOnlyByAScriptThatListsItToo() throws IOException {
        int port = upstream.getAddress().getPort();
        for (String setting : List.of("127.0.0.1/32", "localhost:" + port)) {
            var proxy = new EgressProxy(PrivateAddressGuard.allowing(setting), Map.of(), EgressObserver.NONE);
            var own = proxy.open(dir.resolve("allowed-" + Math.abs(setting.hashCode()) + ".sock"));
            try {
                String host = setting.startsWith("localhost") ? "localhost" : "127.0.0.1";
                own.admit(scriptId, EgressPolicy.of(List.of(host + ":" + port)));
                assertThat(exchange(own, "GET http://" + host + ":" + port + "/internal HTTP/1.1\r\n\r\n"))
                        .as(setting)
                        .startsWith("HTTP/1.1 200")
                        .endsWith("upstream says hi");

                own.admit(scriptId, EgressPolicy.of(List.of("api.example.test")));
                assertThat(exchange(own, "GET http://" + host + ":" + port + "/internal HTTP/1.1\r\n\r\n"))
                        .as(setting)
                        .endsWith("blocked: not in this script's allow-list");
            } finally {
                own.close();
            }
        }
        assertThat(seenPaths).hasSize(2);
        var other = new EgressProxy(PrivateAddressGuard.allowing("10.0.0.0/8"), Map.of(), EgressObserver.NONE);
        var gate = other.open(dir.resolve("other.sock"));
        try {
            gate.admit(scriptId, EgressPolicy.of(List.of("127.0.0.1:" + port)));
            assertThat(exchange(gate, "GET http://127.0.0.1:" + port + "/ HTTP/1.1\r\n\r\n"))
                    .as("an allowance for another network")
                    .endsWith("blocked: private address");
        } finally {
            gate.close();
        }
    }

    @Test
    void oneSandboxCannotHoldMoreThanItsShareOfConnections() throws IOException {
        gate.admit(scriptId, EgressPolicy.of(List.of(HOST)));
        var held = new java.util.ArrayList<SocketChannel>();
        try {
            // connections that never send a request head still count until the head times out
            for (int i = 0; i < EgressProxy.MAX_CONNECTIONS; i++) {
                var channel = SocketChannel.open(StandardProtocolFamily.UNIX);
                channel.connect(UnixDomainSocketAddress.of(socket));
                held.add(channel);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> gate.openConnections() == EgressProxy.MAX_CONNECTIONS);

            assertThat(exchange("CONNECT " + HOST + ":80 HTTP/1.1\r\n\r\n"))
                    .startsWith("HTTP/1.1 429")
                    .endsWith("connections open");
        } finally {
            for (var channel : held) channel.close();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> gate.openConnections() == 0);
        assertThat(exchange("GET http://" + HOST + "/after HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 200");
    }

    @Test
    void whatIsNotAProxyRequestIsABadRequest() throws IOException {
        gate.admit(scriptId, EgressPolicy.of(List.of("*:*")));

        assertThat(exchange("GET /relative HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 400");
        assertThat(exchange("GET https://" + HOST + "/ HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 400");
        assertThat(exchange("CONNECT " + HOST + " HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 400");
        assertThat(exchange("HELLO\r\n\r\n")).startsWith("HTTP/1.1 400");
        assertThat(exchange("GET http://" + HOST + "/" + "x".repeat(20_000) + " HTTP/1.1\r\n\r\n"))
                .startsWith("HTTP/1.1 431");
        assertThat(upstreamHits.get()).isZero();
    }

    @Test
    void aNewCallCutsTheOpenTunnelsItsPolicyNoLongerAllows() throws Exception {
        gate.admit(scriptId, EgressPolicy.of(List.of(HOST)));
        try (var channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            write(channel, "CONNECT " + HOST + ":80 HTTP/1.1\r\n\r\n");
            var in = Channels.newInputStream(channel);
            byte[] established = in.readNBytes("HTTP/1.1 200 Connection Established\r\n\r\n".length());
            assertThat(new String(established, StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 200");
            assertThat(gate.openConnections()).isEqualTo(1);

            gate.admit(UUID.randomUUID(), EgressPolicy.of(List.of(HOST)));

            assertThat(in.read()).as("the tunnel of another script's call").isEqualTo(-1);
        }
    }

    /** Sends {@code request} on a new connection to the proxy and reads until it closes. */
    private String exchange(String request) throws IOException {
        return exchange(socket, request);
    }

    private String exchange(EgressProxy.Gate gate, String request) throws IOException {
        return exchange(gate.socketFile(), request);
    }

    private static String exchange(Path socket, String request) throws IOException {
        try (var channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            write(channel, request);
            return new String(Channels.newInputStream(channel).readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void write(SocketChannel channel, String text) throws IOException {
        var buffer = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (buffer.hasRemaining()) channel.write(buffer);
    }
}
