package dev.cronhook.app.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A small HTTP client for tests: real requests over loopback, JSON bodies as Jackson trees. */
public final class Http {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final HttpClient client = HttpClient.newBuilder()
            // the server speaks HTTP/1.1; the client's default h2c upgrade attempt only adds a way to stall
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final String base;

    /** A response: status, headers and body (parsed as JSON when it is JSON). */
    public record Response(int status, java.net.http.HttpHeaders headers, String text) {
        public JsonNode json() {
            return JSON.readTree(text);
        }

        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        public String contentType() {
            return header("content-type");
        }

        @Override
        public String toString() {
            return status + " " + text;
        }
    }

    /** A server-sent event: its name and its data (JSON). */
    public record Event(String name, JsonNode data) {}

    /**
     * Posts JSON with {@code Accept: text/event-stream} and reads the answer to its end: the events in the order
     * they came, or none when the answer is not an event stream (then {@code response} says why).
     */
    public record Events(Response response, java.util.List<Event> events) {
        public java.util.List<String> names() {
            return events.stream().map(Event::name).toList();
        }

        public java.util.List<Event> named(String name) {
            return events.stream().filter(e -> e.name().equals(name)).toList();
        }
    }

    public Events postForEvents(String path, String json, String token) {
        var r = send(builder(path, token)
                .header("Content-Type", "application/json")
                .header("Accept", "text/event-stream")
                .timeout(Duration.ofSeconds(120))
                .POST(HttpRequest.BodyPublishers.ofString(json)));
        var events = new java.util.ArrayList<Event>();
        String type = r.contentType();
        if (type == null || !type.startsWith("text/event-stream")) return new Events(r, events);
        for (String block : r.text().split("\\r?\\n\\r?\\n")) {
            String name = "message";
            var data = new StringBuilder();
            for (String line : block.split("\\r?\\n")) {
                if (line.startsWith("event:")) name = line.substring(6).strip();
                else if (line.startsWith("data:")) {
                    if (!data.isEmpty()) data.append('\n');
                    data.append(line.substring(5).stripLeading());
                }
            }
            if (!data.isEmpty()) events.add(new Event(name, JSON.readTree(data.toString())));
        }
        return new Events(r, events);
    }

    public Http(String base) {
        this.base = base;
    }

    public String base() {
        return base;
    }

    public Response get(String path, String token) {
        return send(builder(path, token).GET());
    }

    public Response delete(String path, String token) {
        return send(builder(path, token).DELETE());
    }

    public Response post(String path, String json, String token) {
        return send(builder(path, token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    public Response put(String path, String json, String token) {
        return send(builder(path, token)
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    public Response send(String method, String path, String contentType, String body, String token) {
        var b = builder(path, token);
        if (contentType != null) b.header("Content-Type", contentType);
        return send(b.method(
                method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)));
    }

    /**
     * POSTs a JSON body to a whole URL (a webhook's) on a client of its own (no connection is reused, so a call after
     * the server was killed and started again does not meet a dead one) and returns the raw response. Waits up to 90
     * s: a first call may start a container on a loaded machine.
     */
    public static HttpResponse<String> postJson(String url, String body) {
        try (var client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build()) {
            return client.send(
                    HttpRequest.newBuilder(URI.create(url))
                            .timeout(Duration.ofSeconds(90))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static String json(Object value) {
        return JSON.writeValueAsString(value);
    }

    /** Signs in and returns the bearer token. */
    public String login(String username, String password) {
        var r = post("/api/auth/login", json(java.util.Map.of("username", username, "password", password)), null);
        if (r.status() != 200) throw new IllegalStateException("login failed: " + r);
        return r.json().get("token").asString();
    }

    private HttpRequest.Builder builder(String path, String token) {
        var b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        if (token != null) b.header("Authorization", "Bearer " + token);
        return b;
    }

    /** Asks the server for its liveness on a connection of its own, to tell a stuck connection from a stuck server. */
    private String probe() {
        long start = System.nanoTime();
        try (var fresh = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build()) {
            var r = fresh.send(
                    HttpRequest.newBuilder(URI.create(base + "/actuator/health/liveness"))
                            .timeout(Duration.ofSeconds(5))
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
            return "a new connection's liveness request was answered " + r.statusCode() + " in "
                    + (System.nanoTime() - start) / 1_000_000 + " ms";
        } catch (IOException e) {
            return "a new connection's liveness request failed too: " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while probing";
        }
    }

    private Response send(HttpRequest.Builder b) {
        var request = b.build();
        try {
            var r = client.send(request, HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.headers(), r.body());
        } catch (java.net.http.HttpTimeoutException e) {
            // the server runs in this JVM: show where its threads are, so a stall can be told from a slow answer
            var dump = new StringBuilder("request timed out: " + request + "; threads of this JVM:\n");
            Thread.getAllStackTraces().forEach((thread, stack) -> {
                dump.append('"')
                        .append(thread.getName())
                        .append("\" ")
                        .append(thread.getState())
                        .append('\n');
                for (var frame : stack) dump.append("    at ").append(frame).append('\n');
            });
            System.err.println(dump);
            // the message is what a CI summary shows: say whether the server still answers on a new connection
            throw new java.io.UncheckedIOException(
                    "request timed out: " + request.method() + " "
                            + request.uri().getPath() + "; " + probe(),
                    e);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
