package dev.cronhook.app.chaos;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts executions of scripts, outside the platform: every chaos script calls {@code GET /exec?run=<runId>} here
 * (through its sandbox's egress proxy) before it returns, so a run executed twice (at-least-once delivery after its
 * executor was killed) shows as two calls for one run id, whatever the platform recorded.
 */
final class ExecutionCounter implements AutoCloseable {
    private final HttpServer server;
    private final Map<String, AtomicInteger> executions = new ConcurrentHashMap<>();

    ExecutionCounter() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/exec", exchange -> {
            String query = exchange.getRequestURI().getQuery();
            String run = null;
            if (query != null) {
                for (String pair : query.split("&")) {
                    if (pair.startsWith("run=")) run = pair.substring(4);
                }
            }
            if (run != null)
                executions.computeIfAbsent(run, r -> new AtomicInteger()).incrementAndGet();
            exchange.sendResponseHeaders(run == null ? 400 : 204, -1);
            exchange.close();
        });
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** Executions seen per run id. */
    Map<String, Integer> executions() {
        var out = new java.util.HashMap<String, Integer>();
        executions.forEach((run, n) -> out.put(run, n.get()));
        return out;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
