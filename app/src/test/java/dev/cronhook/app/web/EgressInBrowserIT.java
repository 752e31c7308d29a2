package dev.cronhook.app.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cronhook.app.testing.TestPlatform;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The editor's Outbound network field in Chromium against the running app (roles api and web): a refused host's
 * reason next to the field on save and on Try it, the list saved normalized without a new version, and nothing the
 * page's Content-Security-Policy refuses.
 */
class EgressInBrowserIT {
    private static TestPlatform platform;
    private static Browser browser;
    private static String token;

    @BeforeAll
    static void start() {
        platform = TestPlatform.start("api,web", Map.of());
        token = platform.http.login("admin", TestPlatform.ADMIN_PASSWORD);
        browser = new Browser(platform.baseUrl());
    }

    @AfterAll
    static void stop() {
        if (browser != null) browser.close();
        if (platform != null) platform.close();
    }

    @Test
    void hostsTypedIntoTheOutboundNetworkFieldAreSavedWithTheScriptAndABadOneIsExplainedNextToIt() {
        browser.open("/scripts");
        browser.fill("#username", "admin");
        browser.fill("#password", TestPlatform.ADMIN_PASSWORD);
        browser.find("form button[type=submit]").click();
        browser.waiting().until(d -> browser.path().equals("/scripts"));
        var console = new ArrayList<>(browser.consoleMessages());

        browser.open("/scripts/new");
        browser.fill("#name", "reaching-out");
        browser.fill("#egress-allow", "api.github.com\nhttps://evil.example/\n");
        browser.find("#save").click();
        browser.awaitText("#egress-error", "host 2: \"https://evil.example/\" is a URL");
        assertThat(browser.find("#egress-allow").getAttribute("aria-invalid")).isEqualTo("true");
        assertThat(browser.find("#egress-allow").getAttribute("value"))
                .as("what the user typed is kept")
                .contains("https://evil.example/");
        assertThat(platform.http.get("/api/scripts", token).json()).isEmpty();

        browser.fill("#egress-allow", "API.GitHub.com\n\n  *.slack.com:8443  \n");
        browser.find("#save").click();
        browser.awaitText("#saved", "Saved as version 1");
        assertThat(browser.find("#egress-allow").getAttribute("value")).isEqualTo("api.github.com\n*.slack.com:8443");
        assertThat(browser.find("#egress-error").isDisplayed()).isFalse();
        String id = browser.path().substring("/scripts/".length());
        var saved = platform.http.get("/api/scripts/" + id, token).json();
        assertThat(allowOf(saved)).containsExactly("api.github.com", "*.slack.com:8443");

        browser.fill("#egress-allow", "hooks.example.com:*");
        browser.find("#save").click();
        browser.awaitText("#saved", "Settings saved");
        var changed = platform.http.get("/api/scripts/" + id, token).json();
        assertThat(allowOf(changed)).containsExactly("hooks.example.com:*");
        assertThat(changed.get("version").asInt())
                .as("a setting: no new version")
                .isEqualTo(1);

        // Try it sends the field as it is: a bad host is refused before any try-out, its reason next to the field
        browser.fill("#egress-allow", "ok.example\n*.com");
        browser.find("#try-button").click();
        browser.awaitText("#egress-error", "host 2: \"*.com\" would allow a whole top-level domain");
        browser.awaitText("#try-errors", "egress.allow[1]");
        assertThat(browser.find("#egress-allow").getAttribute("aria-invalid")).isEqualTo("true");

        console.addAll(browser.consoleMessages());
        assertThat(console).noneMatch(m -> m.contains("Content Security Policy") || m.contains("Refused to"));
    }

    private static List<String> allowOf(tools.jackson.databind.JsonNode script) {
        var out = new ArrayList<String>();
        script.get("egress").get("allow").forEach(n -> out.add(n.asString()));
        return out;
    }
}
