package dev.cronhook.app.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cronhook.app.testing.TestPlatform;
import java.util.ArrayList;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The pages' Content-Security-Policy in a real Chromium: the editor still loads and highlights, and the browser
 * refuses nothing. (EditorInBrowserIT checks that Monaco's language worker starts, from this origin, and marks a
 * syntax error.)
 */
class ContentSecurityPolicyInBrowserIT {
    private static TestPlatform platform;
    private static Browser browser;

    @BeforeAll
    static void start() {
        platform = TestPlatform.start("api,web", Map.of());
        browser = new Browser(platform.baseUrl());
    }

    @AfterAll
    static void stop() {
        if (browser != null) browser.close();
        if (platform != null) platform.close();
    }

    @Test
    void monacoLoadsAndHighlightsUnderThePolicyAndTheBrowserRefusesNothing() {
        browser.open("/scripts");
        browser.fill("#username", "admin");
        browser.fill("#password", TestPlatform.ADMIN_PASSWORD);
        browser.find("form button[type=submit]").click();
        browser.waiting().until(d -> browser.path().equals("/scripts"));
        var console = new ArrayList<>(browser.consoleMessages());

        browser.open("/scripts/new");
        browser.setCode(
                "import _ from \"lodash\";\nexport default async function (event) {\n  return _.words(\"a b\");\n}\n");
        // Monaco's modules came through its AMD loader from the WebJar and tokenized the code
        browser.waiting()
                .until(d -> ((Long) browser.script("return new Set([...document.querySelectorAll("
                                + "'#monaco .view-lines span span')].map(s => s.className)).size;"))
                        > 2);
        browser.find("#monaco").click();
        console.addAll(browser.consoleMessages());

        assertThat(console).noneMatch(m -> m.contains("Content Security Policy") || m.contains("Refused to"));
    }
}
