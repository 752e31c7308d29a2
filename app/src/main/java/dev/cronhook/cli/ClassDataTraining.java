package dev.cronhook.cli;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;

/**
 * The run the launcher makes once per jar, with {@code -XX:ArchiveClassesAtExit}, so that the JVM's class-data
 * archive holds the classes a real command loads (YAML, JSON, the HTTP client, virtual threads), not only those of
 * the first command a user happened to run: {@code init}, {@code deploy}, {@code try} and {@code logs} against a
 * stand-in server in this process, on a project in a temporary directory. Prints nothing; touches nothing else.
 */
public final class ClassDataTraining {
    private ClassDataTraining() {}

    public static void main(String[] args) throws IOException {
        var server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        String view = "{\"id\":\"00000000-0000-0000-0000-000000000001\",\"name\":\"hello\",\"version\":1,"
                + "\"activeVersion\":1,\"buildState\":\"READY\",\"webhookUrl\":\"http://127.0.0.1/hooks/x\"}";
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            boolean events = String.valueOf(exchange.getRequestHeaders().getFirst("Accept"))
                    .contains("event-stream");
            String body = events
                    ? "event: log\ndata: {\"text\":\"hi\",\"stream\":\"stdout\"}\n\n"
                            + "event: line\ndata: {\"text\":\"hi\",\"stream\":\"stdout\"}\n\n"
                            + "event: result\ndata: {\"status\":\"SUCCEEDED\",\"result\":1}\n\n"
                            + "event: end\ndata: {\"status\":\"SUCCEEDED\"}\n\n"
                    : path.equals("/api/scripts") && exchange.getRequestMethod().equals("GET")
                            ? "[]"
                            : path.endsWith("/alerts") ? "{\"failed\":true}" : view;
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().set("Content-Type", events ? "text/event-stream" : "application/json");
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
        Path dir = Files.createTempDirectory("cronhook-cli-training");
        try {
            var env = Map.of(
                    "CRONHOOK_URL",
                    "http://127.0.0.1:" + server.getAddress().getPort(),
                    "CRONHOOK_TOKEN",
                    "training",
                    "HOME",
                    dir.toString());
            var sink = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
            var terminal = new Terminal(new ByteArrayInputStream(new byte[0]), sink, sink, env, dir);
            Cli.run(new String[] {"init", "."}, terminal);
            Cli.run(new String[] {"deploy", "--json"}, terminal);
            Cli.run(new String[] {"deploy"}, terminal);
            Cli.run(new String[] {"try", "hello", "--event", "{\"body\":{}}"}, terminal);
            Cli.run(new String[] {"logs", "00000000-0000-0000-0000-000000000001", "--follow"}, terminal);
            Cli.run(new String[] {"deploy", "--no-such-option"}, terminal);
        } finally {
            server.stop(0);
            try (var walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
