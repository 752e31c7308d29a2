package dev.cronhook.app.web;

import static dev.cronhook.app.testing.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cronhook.app.testing.TestPlatform;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A secret set in the browser, on the real path: the builder bakes the script into an image in the registry on
 * 127.0.0.1:5000, the executor runs it in Docker with the secret in its environment and masks it, and the run page
 * in Chromium shows {@code ***} where the script printed and returned the value, and the value nowhere.
 */
class SecretInBrowserIT {
    private static TestPlatform platform;
    private static Browser browser;
    private static String token;

    @BeforeAll
    static void start() {
        platform = TestPlatform.start(
                "api,web,builder,executor",
                Map.of(
                        "cronhook.builder.target", "registry",
                        "cronhook.builder.registry", "127.0.0.1:5000",
                        "cronhook.executor.runtime", "docker",
                        "cronhook.webhooks.sync-timeout", "20s"));
        token = platform.http.login("admin", TestPlatform.ADMIN_PASSWORD);
        browser = new Browser(platform.baseUrl());
    }

    @AfterAll
    static void stop() {
        if (browser != null) browser.close();
        if (platform != null) platform.close();
    }

    @Test
    void aSecretSetOnTheScriptsPageReachesTheScriptAndShowsMaskedOnItsRunPage() {
        var created = platform.http.post("/api/scripts", json(Map.of("name", "masked", "code", """
                        export default async function () {
                          console.log("the token is", process.env.SERVICE_TOKEN);
                          return { token: process.env.SERVICE_TOKEN, length: (process.env.SERVICE_TOKEN || "").length };
                        }
                        """)), token);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        UUID id = UUID.fromString(created.json().get("id").asString());
        String hook = URI.create(created.json().get("webhookUrl").asString()).getPath();
        platform.awaitActive(id, 1, token, Duration.ofMinutes(3));

        browser.open("/scripts/" + id);
        browser.fill("#username", "admin");
        browser.fill("#password", TestPlatform.ADMIN_PASSWORD);
        browser.find("form button[type=submit]").click();
        browser.waiting().until(d -> !browser.path().equals("/login"));
        browser.open("/scripts/" + id);
        String value = "svc-" + UUID.randomUUID();
        browser.fill("#secret-name", "SERVICE_TOKEN");
        browser.fill("#secret-value", value);
        browser.find("#save-secret").click();
        browser.awaitText("#notice", "never shown again");
        assertThat(browser.driver.getPageSource()).doesNotContain(value);

        var call = platform.http.post(hook, "{}", null);
        assertThat(call.status()).as(call.toString()).isEqualTo(200);
        assertThat(call.text()).doesNotContain(value);
        assertThat(call.json().get("token").asString()).isEqualTo("***");
        // the script did get the value: its length is the value's
        assertThat(call.json().get("length").asInt()).isEqualTo(value.length());
        String runId = call.header("X-Cronhook-Run-Id");

        browser.open("/runs/" + runId);
        browser.awaitText("#run-status", "SUCCEEDED");
        browser.awaitText("#run-log", "the token is ***");
        assertThat(browser.find("#run-result").getText()).contains("\"token\"").contains("***");
        assertThat(browser.driver.getPageSource()).doesNotContain(value);
    }
}
