package dev.cronhook.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Cronhook REST API over HTTP: JSON in and out, server-sent events read as they come, and every answer that is
 * not a success turned into a {@link CliException} with the problem document's {@code detail} and field errors.
 */
public final class ApiClient {
    static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    private final HttpClient http;
    private final String base;
    private final String token;

    /** A server-sent event: its name and its data, parsed as JSON. */
    public record Event(String name, JsonNode data) {}

    public ApiClient(String base, String token) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        this.token = token;
        this.http = HttpClient.newBuilder()
                // the server speaks HTTP/1.1; an h2c upgrade attempt only adds a round trip
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    /** A client for the platform the credentials name; no token is an authentication error. */
    public static ApiClient authenticated(Credentials credentials) {
        if (credentials.token() == null) {
            throw new CliException(
                    ExitCode.AUTH, "not logged in: run cronhook login, or set CRONHOOK_TOKEN (and CRONHOOK_URL)");
        }
        return new ApiClient(credentials.url(), credentials.token());
    }

    public String base() {
        return base;
    }

    public static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    public JsonNode get(String path) {
        return send("GET", path, null);
    }

    public JsonNode post(String path, Object body) {
        return send("POST", path, body);
    }

    public JsonNode put(String path, Object body) {
        return send("PUT", path, body);
    }

    public JsonNode delete(String path) {
        return send("DELETE", path, null);
    }

    /** Sends a request and returns its JSON answer (a missing node for an empty one). */
    public JsonNode send(String method, String path, Object body) {
        var response = exchange(request(method, path, body, "application/json"), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 300) throw failure(method, path, response.statusCode(), response.body());
        String text = response.body();
        if (text == null || text.isBlank()) return JSON.missingNode();
        try {
            return JSON.readTree(text);
        } catch (JacksonException e) {
            throw new CliException(ExitCode.SERVER, method + " " + path + " answered something that is not JSON");
        }
    }

    /**
     * Sends a request asking for {@code text/event-stream} and hands each event to {@code each} as it comes, until
     * the stream ends or {@code each} returns false.
     */
    public void events(String method, String path, Object body, Predicate<Event> each) {
        var request = request(method, path, body, "text/event-stream");
        var response = exchange(request, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = response.body()) {
            if (response.statusCode() >= 300) {
                throw failure(
                        method, path, response.statusCode(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            var reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String name = "message";
            var data = new StringBuilder();
            for (String line; (line = reader.readLine()) != null; ) {
                if (line.isEmpty()) {
                    if (!data.isEmpty()) {
                        JsonNode parsed;
                        try {
                            parsed = JSON.readTree(data.toString());
                        } catch (JacksonException e) {
                            parsed = JSON.getNodeFactory().stringNode(data.toString());
                        }
                        if (!each.test(new Event(name, parsed))) return;
                    }
                    name = "message";
                    data.setLength(0);
                } else if (line.startsWith("event:")) {
                    name = line.substring(6).strip();
                } else if (line.startsWith("data:")) {
                    if (!data.isEmpty()) data.append('\n');
                    data.append(line.substring(5).stripLeading());
                }
            }
        } catch (IOException e) {
            throw unreachable(e);
        }
    }

    private HttpRequest request(String method, String path, Object body, String accept) {
        var b = HttpRequest.newBuilder(URI.create(base + path)).header("Accept", accept);
        if (!accept.equals("text/event-stream")) b.timeout(REQUEST_TIMEOUT);
        if (token != null) b.header("Authorization", "Bearer " + token);
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        }
        return b.build();
    }

    private <T> HttpResponse<T> exchange(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        try {
            return http.send(request, handler);
        } catch (IOException e) {
            throw unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCode.SERVER, "interrupted");
        } catch (IllegalArgumentException e) {
            throw CliException.usage("invalid URL " + base + ": " + e.getMessage());
        }
    }

    private CliException unreachable(IOException e) {
        String why = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        return new CliException(ExitCode.SERVER, "cannot reach " + base + ": " + why);
    }

    /** The exception for a failed answer: its problem document's detail and field errors. */
    static CliException failure(String method, String path, int status, String body) {
        String detail = null;
        var details = new ArrayList<String>();
        try {
            var problem = JSON.readTree(body == null ? "" : body);
            if (problem != null && problem.isObject()) {
                detail = problem.path("detail").isString()
                        ? problem.get("detail").asString()
                        : problem.path("title").isString()
                                ? problem.get("title").asString()
                                : null;
                for (var e : problem.path("errors")) {
                    String field = e.path("field").asString("");
                    String at =
                            e.path("line").isInt() ? " (line " + e.get("line").asInt() + ")" : "";
                    details.add((field.isEmpty() ? "" : field + ": ")
                            + e.path("message").asString("")
                            + at);
                }
            }
        } catch (JacksonException e) {
            // not a problem document: the status says enough
        }
        if (detail == null) detail = method + " " + path + " answered " + status;
        final String said = detail;
        // a detail that already spells out the field errors does not need them again underneath
        details.removeIf(said::contains);
        int code =
                switch (status) {
                    case 400, 409, 413, 415, 422 -> ExitCode.USAGE;
                    case 401 -> ExitCode.AUTH;
                    case 403 -> ExitCode.AUTH;
                    case 404 -> ExitCode.NOT_FOUND;
                    default -> ExitCode.SERVER;
                };
        if (status == 401) detail = detail + " (the token was refused: run cronhook login, or check CRONHOOK_TOKEN)";
        return new CliException(code, detail, details);
    }

    static List<JsonNode> list(JsonNode array) {
        var out = new ArrayList<JsonNode>();
        array.forEach(out::add);
        return out;
    }
}
