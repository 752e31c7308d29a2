package dev.cronhook.app.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cronhook.app.testing.TestPlatform;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The operator's CRONHOOK_UNSAFE_PROCESS_RUNTIME (scripts may run unsandboxed where no sandbox can be made) is shown
 * on every page to whoever is signed in, and only when it is set.
 */
class UnsafeBannerIT {

    @Test
    void everyPageSaysSoWhenTheUnsafeProcessRuntimeIsAllowed() throws Exception {
        try (var platform = TestPlatform.start("api,web", Map.of("cronhook.executor.unsafe-process-runtime", true))) {
            var pages = signedIn(platform.http.base());
            for (String page : new String[] {"/scripts", "/runs", "/settings", "/scripts/new"}) {
                assertThat(get(pages, platform.http.base() + page))
                        .as(page)
                        .contains("id=\"unsafe-banner\"")
                        .contains("CRONHOOK_UNSAFE_PROCESS_RUNTIME is on");
            }
        }
    }

    @Test
    void noPageSaysSoWhenItIsNot() throws Exception {
        try (var platform = TestPlatform.start("api,web", Map.of())) {
            var pages = signedIn(platform.http.base());
            assertThat(get(pages, platform.http.base() + "/scripts")).doesNotContain("unsafe-banner");
        }
    }

    private static HttpClient signedIn(String base) throws Exception {
        var client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .cookieHandler(new CookieManager())
                .build();
        String login = get(client, base + "/login");
        var csrf = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(login);
        assertThat(csrf.find()).as("the sign-in form has its CSRF token").isTrue();
        String form =
                "username=admin&password=" + URLEncoder.encode(TestPlatform.ADMIN_PASSWORD, StandardCharsets.UTF_8)
                        + "&_csrf=" + URLEncoder.encode(csrf.group(1), StandardCharsets.UTF_8);
        var signedIn = client.send(
                HttpRequest.newBuilder(URI.create(base + "/login"))
                        .timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .header("Accept", "text/html")
                        .POST(HttpRequest.BodyPublishers.ofString(form))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(signedIn.statusCode()).as(signedIn.body()).isEqualTo(302);
        return client;
    }

    private static String get(HttpClient client, String url) throws Exception {
        var r = client.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(30))
                        .header("Accept", "text/html")
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(url).isEqualTo(200);
        return r.body();
    }
}
