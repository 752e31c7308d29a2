package dev.cronhook.app.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cronhook.app.testing.TestPlatform;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The editor page in a real Chromium, as a new user meets it (issue 21). */
class EditorInBrowserIT {
    private static TestPlatform platform;
    private static Browser browser;

    @BeforeAll
    static void start() {
        platform = TestPlatform.start("api,web", Map.of());
        browser = new Browser(platform.baseUrl());
        browser.open("/scripts");
        browser.fill("#username", "admin");
        browser.fill("#password", TestPlatform.ADMIN_PASSWORD);
        browser.find("form button[type=submit]").click();
        browser.waiting().until(d -> browser.path().equals("/scripts"));
    }

    @AfterAll
    static void stop() {
        if (browser != null) browser.close();
        if (platform != null) platform.close();
    }

    @Test
    void monacosLanguageWorkerLoadsAndMarksASyntaxErrorAtItsLine() {
        var console = new ArrayList<>(browser.consoleMessages());
        browser.open("/scripts/new");
        browser.setCode("export default async function () {\n  let a = 1;\n  return a x;\n}\n");
        browser.waiting()
                .until(d ->
                        ((Number) browser.script("return monaco.editor.getModelMarkers({}).length;")).intValue() > 0);
        @SuppressWarnings("unchecked")
        var marker = (Map<String, Object>) browser.script("return monaco.editor.getModelMarkers({})[0];");
        assertThat(((Number) marker.get("startLineNumber")).intValue()).isEqualTo(3);
        console.addAll(browser.consoleMessages());
        assertThat(console)
                .noneMatch(m -> m.contains("Failed to parse URL")
                        || m.contains("Could not create web worker")
                        || m.contains("Refused to"));

        // saved anyway, the server says the same, with the line and column
        browser.fill("#name", "typo");
        browser.find("#save").click();
        browser.awaitText("#code-error", "syntax error at line 3, column 12");
    }

    static List<String> texts(String css) {
        return browser.driver.findElements(org.openqa.selenium.By.cssSelector(css)).stream()
                .map(org.openqa.selenium.WebElement::getText)
                .toList();
    }
}
