package dev.cronhook.executor.secrets.infisical;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A stand-in for the two Infisical endpoints a universal-auth machine identity uses: {@code POST
 * /api/v1/auth/universal-auth/login} and {@code GET /api/v3/secrets/raw}, shaped as Infisical documents them. Tokens
 * expire by the given clock and can be revoked; logins, secrets requests and refused tokens are counted. Shared with
 * the platform tests in {@code app/} through this module's test jar.
 */
public final class InfisicalStandIn implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Pattern REFERENCE = Pattern.compile("\\$\\{([^}]+)}");

    private final HttpServer server;
    private final Clock clock;
    private final Map<String, String> identities = new ConcurrentHashMap<>();
    private final Map<String, Instant> tokens = new ConcurrentHashMap<>();
    // project/env/path -> key -> value, in insertion order
    private final Map<String, Map<String, String>> folders = new ConcurrentHashMap<>();
    private final Map<String, List<String[]>> imports = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicInteger logins = new AtomicInteger();
    private final AtomicInteger secretsRequests = new AtomicInteger();
    private final AtomicInteger refusedTokens = new AtomicInteger();
    private volatile Duration tokenLifetime = Duration.ofHours(2);
    private volatile int failureStatus;
    private volatile String failureMessage;
    private volatile Duration delay = Duration.ZERO;
    private volatile boolean refuseEveryToken;

    private InfisicalStandIn(Clock clock) throws IOException {
        this.clock = clock;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    public static InfisicalStandIn start(Clock clock) throws IOException {
        return new InfisicalStandIn(clock);
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public InfisicalStandIn identity(String clientId, String clientSecret) {
        identities.put(clientId, clientSecret);
        return this;
    }

    public InfisicalStandIn secret(String project, String environment, String path, String key, String value) {
        folders.computeIfAbsent(folder(project, environment, path), f -> new LinkedHashMap<>())
                .put(key, value);
        return this;
    }

    /** Makes the secrets of {@code fromPath} visible in {@code path}, as a secret import does. */
    public InfisicalStandIn importInto(String project, String environment, String path, String fromPath) {
        imports.computeIfAbsent(folder(project, environment, path), f -> new ArrayList<>())
                .add(new String[] {environment, fromPath});
        return this;
    }

    public void tokenLifetime(Duration lifetime) {
        tokenLifetime = lifetime;
    }

    /** Revokes every token handed out so far (as when an identity's tokens are revoked in the UI). */
    public void revokeTokens() {
        tokens.clear();
    }

    /** Refuses every token, even fresh ones (as when the identity lost access mid-way). */
    public void refuseEveryToken() {
        refuseEveryToken = true;
    }

    /** Answers every request with this status and Infisical's error body. */
    public void failWith(int status, String message) {
        failureMessage = message;
        failureStatus = status;
    }

    /** Answers every request only after this delay. */
    public void delay(Duration delay) {
        this.delay = delay;
    }

    public int logins() {
        return logins.get();
    }

    public int secretsRequests() {
        return secretsRequests.get();
    }

    public int refusedTokens() {
        return refusedTokens.get();
    }

    /** Stops answering: connections are refused from now on, as when Infisical is down. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!delay.isZero()) {
                Thread.sleep(delay);
            }
            if (failureStatus != 0) {
                error(exchange, failureStatus, "InternalServerError", failureMessage);
                return;
            }
            String path = exchange.getRequestURI().getPath();
            if ("POST".equals(exchange.getRequestMethod()) && path.equals("/api/v1/auth/universal-auth/login")) {
                login(exchange);
            } else if ("GET".equals(exchange.getRequestMethod()) && path.equals("/api/v3/secrets/raw")) {
                secrets(exchange);
            } else {
                error(exchange, 404, "NotFound", "Route " + exchange.getRequestMethod() + ":" + path + " not found");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void login(HttpExchange exchange) throws IOException {
        logins.incrementAndGet();
        JsonNode body = JSON.readTree(exchange.getRequestBody());
        String clientId = body.path("clientId").asString("");
        String clientSecret = body.path("clientSecret").asString("");
        if (!clientSecret.equals(identities.get(clientId))
                || !exchange.getRequestHeaders().getFirst("Content-Type").startsWith("application/json")) {
            error(exchange, 401, "UnauthorizedError", "Invalid credentials");
            return;
        }
        String token = "st." + UUID.randomUUID();
        tokens.put(token, clock.instant().plus(tokenLifetime));
        answer(
                exchange,
                200,
                Map.of(
                        "accessToken",
                        token,
                        "expiresIn",
                        tokenLifetime.toSeconds(),
                        "accessTokenMaxTTL",
                        2_592_000,
                        "tokenType",
                        "Bearer"));
    }

    private void secrets(HttpExchange exchange) throws IOException {
        secretsRequests.incrementAndGet();
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        String token = authorization != null && authorization.startsWith("Bearer ") ? authorization.substring(7) : "";
        Instant expiry = tokens.get(token);
        if (refuseEveryToken || expiry == null || !clock.instant().isBefore(expiry)) {
            refusedTokens.incrementAndGet();
            error(exchange, 401, "UnauthorizedError", expiry == null ? "Invalid token" : "Token expired");
            return;
        }
        Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
        String project = query.get("workspaceId");
        String environment = query.get("environment");
        String path = query.getOrDefault("secretPath", "/");
        if (project == null || environment == null) {
            error(exchange, 400, "BadRequest", "workspaceId and environment are required");
            return;
        }
        boolean expand = "true".equals(query.get("expandSecretReferences"));
        var own = folders.getOrDefault(folder(project, environment, path), Map.of());
        var importBlocks = new ArrayList<Map<String, Object>>();
        if ("true".equals(query.get("includeImports"))) {
            for (String[] from : imports.getOrDefault(folder(project, environment, path), List.of())) {
                var secrets = folders.getOrDefault(folder(project, from[0], from[1]), Map.of());
                importBlocks.add(Map.of(
                        "secretPath",
                        from[1],
                        "environment",
                        from[0],
                        "folderId",
                        UUID.randomUUID().toString(),
                        "secrets",
                        secretObjects(secrets, environment, expand)));
            }
        }
        answer(exchange, 200, Map.of("secrets", secretObjects(own, environment, expand), "imports", importBlocks));
    }

    private static List<Map<String, Object>> secretObjects(
            Map<String, String> secrets, String environment, boolean expand) {
        var objects = new ArrayList<Map<String, Object>>();
        secrets.forEach((key, value) -> {
            String shown = value;
            if (expand) {
                Matcher m = REFERENCE.matcher(value);
                shown = m.replaceAll(r -> Matcher.quoteReplacement(secrets.getOrDefault(r.group(1), "")));
            }
            var object = new LinkedHashMap<String, Object>();
            object.put("id", UUID.randomUUID().toString());
            object.put("workspace", "stand-in");
            object.put("environment", environment);
            object.put("version", 1);
            object.put("type", "shared");
            object.put("secretKey", key);
            object.put("secretValue", shown);
            object.put("secretComment", "");
            objects.add(object);
        });
        return objects;
    }

    private static Map<String, String> query(String raw) {
        var query = new LinkedHashMap<String, String>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                query.put(
                        URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
                        eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return query;
    }

    private static String folder(String project, String environment, String path) {
        return project + "|" + environment + "|" + path;
    }

    private static void error(HttpExchange exchange, int status, String error, String message) throws IOException {
        answer(
                exchange,
                status,
                Map.of(
                        "reqId", "req-" + UUID.randomUUID(),
                        "statusCode", status,
                        "message", message,
                        "error", error));
    }

    private static void answer(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }
}
