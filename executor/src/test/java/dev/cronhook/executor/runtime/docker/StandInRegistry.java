package dev.cronhook.executor.runtime.docker;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A registry on 127.0.0.1 speaking the registry API's reads (manifests and blobs by digest) and, when asked, the
 * token flow (a 401 with a Bearer challenge, a token endpoint taking basic credentials), serving what a test gives
 * it, including what a real registry never would: a blob that is not the one its digest names, a blob that stalls.
 * It proves what the client does with such answers, not what any real registry sends.
 */
final class StandInRegistry implements AutoCloseable {
    private final HttpServer server;
    private final Map<String, byte[]> manifests = new ConcurrentHashMap<>();
    private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
    private final Map<String, byte[]> tampered = new ConcurrentHashMap<>();
    private final Map<String, Boolean> stalled = new ConcurrentHashMap<>();
    /** Every path asked for, in order (token requests with their query). */
    final List<String> requests = new CopyOnWriteArrayList<>();

    private volatile String username;
    private volatile String password;
    private final String token = UUID.randomUUID().toString();

    StandInRegistry() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    String host() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    /** Serves {@code image} (its layers' blobs only those given; the runtime's can be left out). */
    String serve(String repository, TestRegistry.Image image, TestRegistry.Layer... layers) {
        manifests.put(image.digest(), image.manifest());
        blobs.put(image.configDigest(), image.config());
        for (var layer : layers) blobs.put(layer.digest(), layer.blob());
        return host() + "/" + repository + "@" + image.digest();
    }

    /** Serves {@code content} where {@code digest} is asked for: bytes that are not what the digest names. */
    void tamper(String digest, byte[] content) {
        tampered.put(digest, content);
    }

    /** Sends half of {@code digest}'s blob and then nothing more. */
    void stall(String digest) {
        stalled.put(digest, true);
    }

    /** From now on every read needs a token, which the token endpoint gives for these basic credentials. */
    void requireToken(String username, String password) {
        this.username = username;
        this.password = password;
    }

    long count(String fragment) {
        return requests.stream().filter(r -> r.contains(fragment)).count();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String query = exchange.getRequestURI().getRawQuery();
            requests.add(query == null ? path : path + "?" + query);
            if (path.equals("/token")) {
                token(exchange);
                return;
            }
            if (username != null
                    && !("Bearer " + token).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                String repository = path.replaceFirst("^/v2/", "").replaceFirst("/(manifests|blobs)/.*$", "");
                exchange.getResponseHeaders()
                        .add(
                                "WWW-Authenticate",
                                "Bearer realm=\"http://" + host() + "/token\",service=\"stand-in\",scope=\"repository:"
                                        + repository + ":pull\"");
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            int manifestAt = path.indexOf("/manifests/");
            int blobAt = path.indexOf("/blobs/");
            if (manifestAt > 0) {
                String digest = path.substring(manifestAt + "/manifests/".length());
                byte[] body = tampered.getOrDefault(digest, manifests.get(digest));
                if (body == null) {
                    exchange.sendResponseHeaders(404, -1);
                    return;
                }
                exchange.getResponseHeaders().add("Content-Type", RegistryImage.DOCKER_MANIFEST);
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            } else if (blobAt > 0) {
                String digest = path.substring(blobAt + "/blobs/".length());
                byte[] body = tampered.getOrDefault(digest, blobs.get(digest));
                if (body == null) {
                    exchange.sendResponseHeaders(404, -1);
                    return;
                }
                exchange.sendResponseHeaders(200, body.length);
                if (stalled.containsKey(digest)) {
                    exchange.getResponseBody().write(body, 0, body.length / 2);
                    exchange.getResponseBody().flush();
                    Thread.sleep(60_000);
                    return;
                }
                exchange.getResponseBody().write(body);
            } else {
                exchange.sendResponseHeaders(404, -1);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void token(HttpExchange exchange) throws IOException {
        String expected = "Basic "
                + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
        if (!expected.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            exchange.sendResponseHeaders(401, -1);
            return;
        }
        byte[] body = ("{\"token\":\"" + token + "\",\"expires_in\":300}").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
