package dev.cronhook.bench.logs;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A CloudWatch Logs stand-in for the benchmark: it speaks AWS JSON 1.1 for CreateLogGroup, CreateLogStream and
 * PutLogEvents, counts the events of every batch (without parsing it), and keeps nothing. The benchmark runs it in a
 * process of its own ({@link #main}) so that the shipper's CPU time can be measured apart from the sink's.
 */
final class CloudWatchLogsSink implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final byte[] EVENT_KEY = "\"timestamp\":".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final HttpServer server;
    private final Set<String> groups = ConcurrentHashMap.newKeySet();
    private final AtomicLong events = new AtomicLong();
    private final AtomicLong puts = new AtomicLong();

    private final Duration latency;

    /** A sink that answers each PutLogEvents after {@code latency}, like a round trip to AWS would take. */
    CloudWatchLogsSink(Duration latency) throws IOException {
        this.latency = latency;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.createContext("/stats", exchange -> {
            try (exchange) {
                send(exchange, 200, puts.get() + " " + events.get());
            }
        });
        server.start();
    }

    /**
     * Runs a sink until its standard input closes: {@code CloudWatchLogsSink <latencyMillis>}; prints its port, and
     * answers {@code GET /stats} with the PutLogEvents calls and events counted so far.
     */
    public static void main(String[] args) throws IOException {
        try (var sink = new CloudWatchLogsSink(Duration.ofMillis(Long.parseLong(args[0])))) {
            System.out.println("port " + sink.endpoint().getPort());
            System.out.flush();
            System.in.transferTo(java.io.OutputStream.nullOutputStream());
        }
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    long events() {
        return events.get();
    }

    long puts() {
        return puts.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            byte[] body = exchange.getRequestBody().readAllBytes();
            if ("Logs_20140328.PutLogEvents".equals(target)) {
                // counting keys instead of parsing keeps the sink's share of the shared CPU small
                int count = occurrences(body, EVENT_KEY);
                if (count > 10_000 || body.length > 2 * 1_048_576) {
                    error(exchange, "InvalidParameterException", "batch over the limits");
                    return;
                }
                puts.incrementAndGet();
                events.addAndGet(count);
                if (!latency.isZero()) {
                    try {
                        Thread.sleep(latency);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                send(exchange, 200, "{}");
                return;
            }
            JsonNode request = JSON.readTree(body);
            String group = request.path("logGroupName").asString("");
            switch (target == null ? "" : target) {
                case "Logs_20140328.CreateLogGroup" -> {
                    groups.add(group);
                    send(exchange, 200, "{}");
                }
                case "Logs_20140328.CreateLogStream" -> {
                    if (!groups.contains(group)) {
                        error(exchange, "ResourceNotFoundException", "The specified log group does not exist.");
                    } else {
                        send(exchange, 200, "{}");
                    }
                }
                default -> error(exchange, "UnknownOperationException", "not in the benchmark");
            }
        }
    }

    private static int occurrences(byte[] body, byte[] key) {
        int count = 0;
        outer:
        for (int i = 0; i <= body.length - key.length; i++) {
            for (int j = 0; j < key.length; j++) {
                if (body[i + j] != key[j]) {
                    continue outer;
                }
            }
            count++;
        }
        return count;
    }

    private static void error(HttpExchange exchange, String type, String message) throws IOException {
        send(exchange, 400, "{\"__type\":\"" + type + "\",\"message\":\"" + message + "\"}");
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }
}
