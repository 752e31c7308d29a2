package dev.cronhook.app.hook;

import static dev.cronhook.app.testing.Http.json;

import dev.cronhook.app.testing.TestPlatform;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/** What the webhook tests that stop a backend share: a deployed script, and a plain call of its webhook. */
final class HookCalls {
    private HookCalls() {}

    /** A script answering 1, deployed on the platform: its id and webhook URL. */
    record Deployed(String id, String hook) {}

    static Deployed deploy(TestPlatform platform, String name) {
        String token = platform.http.login("admin", TestPlatform.ADMIN_PASSWORD);
        var created = platform.http.post(
                "/api/scripts", json(Map.of("name", name, "code", "export default async () => 1")), token);
        String id = created.json().get("id").asString();
        platform.deploy(UUID.fromString(id), 1, token);
        return new Deployed(id, created.json().get("webhookUrl").asString());
    }

    /** POSTs {@code {}} as JSON to the URL over HTTP/1.1. */
    static HttpResponse<String> post(String url) throws Exception {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .build()
                .send(
                        HttpRequest.newBuilder(URI.create(url))
                                .timeout(Duration.ofSeconds(30))
                                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                                .header("Content-Type", "application/json")
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }
}
