package dev.cronhook.api.alert;

import dev.cronhook.core.net.PrivateAddressException;
import dev.cronhook.core.net.PrivateAddressGuard;
import java.io.IOException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import tools.jackson.databind.json.JsonMapper;

/**
 * The generic webhook (the alert as JSON, signed) and the Slack-compatible one ({@code {"text": ...}}). Every call
 * first passes the private-address guard; redirects are not followed (one could lead to a private address).
 *
 * <p>Signature of the generic webhook: {@code X-Cronhook-Timestamp} is the Unix time in seconds of the attempt and
 * {@code X-Cronhook-Signature} is {@code sha256=<hex>} of HMAC-SHA256 with the channel's secret over {@code
 * <timestamp>.<body>}; a receiver recomputes it and rejects old timestamps (replays). {@code X-Cronhook-Delivery} is
 * the same on every attempt of one delivery, so a receiver can drop a repeat (delivery is at least once).
 */
final class HttpChannelSender implements ChannelSender {
    private final PrivateAddressGuard guard;
    private final HttpClient http;
    private final Duration timeout;
    private final JsonMapper json;

    HttpChannelSender(PrivateAddressGuard guard, Duration timeout, JsonMapper json) {
        this.guard = guard;
        this.timeout = timeout;
        this.json = json;
        this.http = HttpClient.newBuilder()
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    @Override
    public Outcome send(Channel channel, String secret, AlertOutbox.Delivery delivery, String payload) {
        boolean slack = channel.kind() == Channel.Kind.SLACK;
        String url = slack ? secret : channel.url();
        if (url == null) return Outcome.refused("the channel has no URL");
        URI uri;
        try {
            uri = URI.create(url);
            guard.check(uri);
        } catch (PrivateAddressException e) {
            return Outcome.refused(e.getMessage());
        } catch (UnknownHostException e) {
            return Outcome.failed(null, "the host does not resolve: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            return Outcome.refused("not a URL: " + e.getMessage());
        }
        String body;
        if (slack) {
            var text = json.readTree(payload).path("text").asString();
            var node = json.createObjectNode();
            node.put("text", text);
            body = json.writeValueAsString(node);
        } else {
            body = payload;
        }
        var request = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("User-Agent", "Cronhook-Alerts")
                .header("X-Cronhook-Delivery", delivery.id().toString())
                .header("X-Cronhook-Event", delivery.event());
        if (!slack && secret != null) {
            String timestamp = Long.toString(Instant.now().getEpochSecond());
            request.header("X-Cronhook-Timestamp", timestamp);
            request.header("X-Cronhook-Signature", "sha256=" + sign(secret, timestamp, body));
        }
        try {
            var response = http.send(
                    request.POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
            int code = response.statusCode();
            return code >= 200 && code < 300 ? Outcome.ok(code) : Outcome.failed(code, "the receiver answered " + code);
        } catch (IOException e) {
            return Outcome.failed(null, e.getClass().getSimpleName() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Outcome.failed(null, "interrupted");
        }
    }

    /** The hex HMAC-SHA256 over {@code <timestamp>.<body>}. */
    static String sign(String secret, String timestamp, String body) {
        try {
            var mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
