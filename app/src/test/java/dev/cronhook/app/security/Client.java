package dev.cronhook.app.security;

import static dev.cronhook.app.testing.Http.json;

import dev.cronhook.app.testing.Http;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.CookieManager;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A client of the platform from a loopback address of its own (127.0.0.x), so tests of per-address sign-in
 * throttling do not share a client address; it keeps cookies like a browser, for the sign-in form and the pages.
 */
final class Client {
    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");
    private final String base;
    private final HttpClient client;

    Client(String base, String localAddress) {
        this.base = base;
        try {
            this.client = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .localAddress(InetAddress.getByName(localAddress))
                    .cookieHandler(new CookieManager())
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code POST /api/auth/login} with JSON. */
    Http.Response apiLogin(String username, String password) {
        return send(HttpRequest.newBuilder(URI.create(base + "/api/auth/login"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json(Map.of("username", username, "password", password)))));
    }

    /** GET of a page, as a browser asks for one. */
    Http.Response page(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Accept", "text/html")
                .GET());
    }

    /** Sends the sign-in form as a browser does: the page first (its CSRF token), then the POST. */
    Http.Response signIn(String username, String password) {
        return submit("/login", "/login", Map.of("username", username, "password", password));
    }

    /** Loads {@code pagePath}, then posts {@code fields} with the page's CSRF token to {@code action}. */
    Http.Response submit(String pagePath, String action, Map<String, String> fields) {
        var page = page(pagePath);
        var m = CSRF.matcher(page.text());
        if (!m.find()) throw new IllegalStateException("no CSRF token on " + pagePath + ": " + page);
        var form = new LinkedHashMap<>(fields);
        form.put("_csrf", m.group(1));
        String body = form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        return send(HttpRequest.newBuilder(URI.create(base + action))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "text/html")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private Http.Response send(HttpRequest.Builder b) {
        try {
            var r = client.send(b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            return new Http.Response(r.statusCode(), r.headers(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
