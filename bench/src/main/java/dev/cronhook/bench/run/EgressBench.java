package dev.cronhook.bench.run;

import com.sun.net.httpserver.HttpServer;
import dev.cronhook.core.net.EgressPolicy;
import dev.cronhook.core.net.PrivateAddressGuard;
import dev.cronhook.core.run.RunStatus;
import dev.cronhook.core.run.TriggerKind;
import dev.cronhook.executor.egress.EgressObserver;
import dev.cronhook.executor.egress.EgressProxy;
import dev.cronhook.executor.runtime.HarnessScriptRuntime;
import dev.cronhook.executor.runtime.Invocation;
import dev.cronhook.executor.runtime.LogSink;
import dev.cronhook.executor.runtime.RuntimeLimits;
import dev.cronhook.executor.runtime.docker.DockerScriptRuntime;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Issue 18's figures. (1) The egress proxy's added latency per request on loopback: a request to a server on
 * 127.0.0.1 directly and through the proxy's Unix socket, on a new connection each time (a {@code CONNECT} first) and
 * on one kept-alive connection (a tunnel). (2) Runs per second of a script that makes one allowed call per run, in
 * Docker through the proxy (network none) against the same script on the host's network (no proxy). Args:
 * [requests] [runs] [concurrency].
 */
public final class EgressBench {
    private static final String HOST = "upstream.bench";
    private static final String SCRIPT = """
            export default async function (event) {
              const res = await fetch(event.url);
              return (await res.text()).length;
            }
            """;

    private EgressBench() {}

    public static void main(String[] args) throws Exception {
        int requests = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5000;
        int concurrency = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        var server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
        byte[] body = "hello from upstream".getBytes(StandardCharsets.UTF_8);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        int port = server.getAddress().getPort();
        var upstream = new InetSocketAddress("127.0.0.1", port);
        var proxy = new EgressProxy(PrivateAddressGuard.strict(), Map.of(HOST + ":80", upstream), EgressObserver.NONE);
        Path dir = Files.createTempDirectory("cronhook-egress-bench");
        var gate = proxy.open(dir.resolve(EgressProxy.socketFileName()));
        gate.admit(UUID.randomUUID(), EgressPolicy.of(List.of(HOST)));
        var socket = UnixDomainSocketAddress.of(dir.resolve(EgressProxy.socketFileName()));
        try {
            latency(requests, upstream, socket);
        } finally {
            gate.close();
        }
        throughput(runs, concurrency, proxy, port);
        server.stop(0);
    }

    /** Request latency, direct and through the proxy, each on a new connection and on one kept alive. */
    private static void latency(int requests, InetSocketAddress upstream, UnixDomainSocketAddress socket)
            throws IOException {
        String get = "GET / HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n";
        for (int round = 1; round <= 3; round++) {
            long[] direct = new long[requests];
            long[] proxied = new long[requests];
            for (int i = 0; i < requests; i++) {
                long t0 = System.nanoTime();
                try (var ch = SocketChannel.open(upstream)) {
                    exchange(ch, in(ch), get);
                }
                long t1 = System.nanoTime();
                try (var ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                    ch.connect(socket);
                    write(ch, "CONNECT " + HOST + ":80 HTTP/1.1\r\n\r\n");
                    var in = in(ch);
                    readHead(in);
                    exchange(ch, in, get);
                }
                long t2 = System.nanoTime();
                direct[i] = t1 - t0;
                proxied[i] = t2 - t1;
            }
            report("round " + round + ", a new connection per request", direct, proxied);
            long[] directKept = new long[requests];
            long[] proxiedKept = new long[requests];
            try (var d = SocketChannel.open(upstream);
                    var p = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                p.connect(socket);
                write(p, "CONNECT " + HOST + ":80 HTTP/1.1\r\n\r\n");
                var pin = in(p);
                var din = in(d);
                readHead(pin);
                for (int i = 0; i < requests; i++) {
                    long t0 = System.nanoTime();
                    exchange(d, din, get);
                    long t1 = System.nanoTime();
                    exchange(p, pin, get);
                    directKept[i] = t1 - t0;
                    proxiedKept[i] = System.nanoTime() - t1;
                }
            }
            report("round " + round + ", one kept-alive connection", directKept, proxiedKept);
        }
    }

    private static void report(String what, long[] direct, long[] proxied) {
        Arrays.sort(direct);
        Arrays.sort(proxied);
        System.out.printf(
                "%s: direct p50 %.3f ms p99 %.3f ms; through the proxy p50 %.3f ms p99 %.3f ms;"
                        + " added at p50 %.3f ms (n=%d)%n",
                what,
                ms(direct, 0.50),
                ms(direct, 0.99),
                ms(proxied, 0.50),
                ms(proxied, 0.99),
                ms(proxied, 0.50) - ms(direct, 0.50),
                direct.length);
    }

    private static double ms(long[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) (sorted.length * q))] / 1e6;
    }

    /** Runs of a script making one call per run: through the proxy (network none), then on the host's network. */
    private static void throughput(int runs, int concurrency, EgressProxy proxy, int port) throws Exception {
        String image = RunBenchmark.image("egress", SCRIPT);
        var docker = DockerScriptRuntime.client("unix:///var/run/docker.sock");
        for (int round = 1; round <= 3; round++) {
            for (boolean viaProxy : List.of(true, false)) {
                var warm = new HarnessScriptRuntime.WarmSettings(concurrency, Duration.ofMinutes(5), concurrency);
                try (var runtime = new DockerScriptRuntime(
                        docker,
                        viaProxy ? "none" : "host",
                        "bench-egress",
                        RuntimeLimits.defaults(),
                        warm,
                        RunBenchmark.sockets())) {
                    if (viaProxy) runtime.egressProxy(proxy);
                    String url = viaProxy ? "http://" + HOST + "/" : "http://127.0.0.1:" + port + "/";
                    var policy = EgressPolicy.of(List.of(HOST));
                    UUID scriptId = UUID.randomUUID();
                    // warm: one container per worker, and the JIT
                    burst(runtime, scriptId, image, url, policy, Math.min(runs, 500), concurrency);
                    long t0 = System.nanoTime();
                    int failed = burst(runtime, scriptId, image, url, policy, runs, concurrency);
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    System.out.printf(
                            "round %d, %s: %d runs in %.2f s = %.0f runs/s, %d failed (concurrency %d)%n",
                            round,
                            viaProxy ? "through the egress proxy (network none)" : "host network, no proxy",
                            runs,
                            seconds,
                            runs / seconds,
                            failed,
                            concurrency);
                }
            }
        }
    }

    private static int burst(
            DockerScriptRuntime runtime,
            UUID scriptId,
            String image,
            String url,
            EgressPolicy policy,
            int runs,
            int concurrency)
            throws InterruptedException {
        var next = new AtomicInteger();
        var failed = new AtomicInteger();
        var firstError = new AtomicLong();
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < concurrency; w++) {
            workers.add(Thread.ofPlatform().start(() -> {
                while (next.getAndIncrement() < runs) {
                    var outcome = runtime.run(
                            new Invocation(
                                    UUID.randomUUID(),
                                    scriptId,
                                    1,
                                    image,
                                    TriggerKind.WEBHOOK,
                                    "{\"url\":\"" + url + "\"}",
                                    Duration.ofSeconds(30),
                                    128,
                                    Map.of(),
                                    null,
                                    policy),
                            LogSink.DISCARD);
                    if (outcome.status() != RunStatus.SUCCEEDED) {
                        if (failed.getAndIncrement() == 0 && firstError.compareAndSet(0, 1)) {
                            System.out.println("first failure: " + outcome.error());
                        }
                    }
                }
            }));
        }
        for (var t : workers) t.join();
        return failed.get();
    }

    private static InputStream in(SocketChannel ch) {
        return new BufferedInputStream(Channels.newInputStream(ch));
    }

    private static void exchange(SocketChannel ch, InputStream in, String request) throws IOException {
        write(ch, request);
        String head = readHead(in);
        int length = Integer.parseInt(head.replaceAll("(?is).*content-length: *(\\d+).*", "$1"));
        in.readNBytes(length);
    }

    private static String readHead(InputStream in) throws IOException {
        var head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) throw new IOException("closed before the end of the head: " + head);
            head.append((char) b);
        }
        return head.toString();
    }

    private static void write(SocketChannel ch, String text) throws IOException {
        var buffer = ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
        while (buffer.hasRemaining()) ch.write(buffer);
    }
}
