package dev.cronhook.app.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cronhook.app.testing.TestPlatform;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.support.ui.Select;

/** The editor in Debian's Chromium: a new script switched to Python gets Python's mode and template, and saves so. */
class PythonEditorIT {
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
    void aNewScriptSwitchedToPythonGetsPythonsModeAndTemplateAndIsSavedAsPython() {
        browser.open("/scripts");
        if (browser.path().equals("/login")) {
            browser.fill("#username", "admin");
            browser.fill("#password", TestPlatform.ADMIN_PASSWORD);
            browser.find("form button[type=submit]").click();
            browser.waiting().until(d -> browser.path().equals("/scripts"));
        }
        browser.open("/scripts/new");
        browser.waiting().until(d -> browser.script("return window.cronhookEditor ? 'ready' : null;") != null);

        new Select(browser.find("#language")).selectByValue("python");

        browser.waiting().until(d -> "python"
                .equals(browser.script("return window.cronhookEditor.getModel().getLanguageId();")));
        String code = (String) browser.script("return window.cronhookEditor.getValue();");
        assertThat(code).contains("def handler(event, ctx):", "from cronhook import Response");
        // Python highlighting works offline: Monaco tokenized the template into more than one token class
        browser.waiting()
                .until(d -> ((Long) browser.script("return new Set([...document.querySelectorAll("
                                + "'#monaco .view-lines span span')].map(s => s.className)).size;"))
                        > 2);
        browser.fill("#name", "python-greeter");
        browser.find("#save").click();
        browser.awaitText("#saved", "Saved as version 1");
        UUID id = UUID.fromString(browser.path().substring("/scripts/".length()));
        var saved = platform.http.get("/api/scripts/" + id, token).json();
        assertThat(saved.get("language").asString()).isEqualTo("python");
        assertThat(saved.get("code").asString()).contains("def handler(event, ctx):");
        assertThat(new Select(browser.find("#language"))
                        .getFirstSelectedOption()
                        .getAttribute("value"))
                .isEqualTo("python");

        // back to Node.js: the untouched Python template gives way to the JavaScript one
        new Select(browser.find("#language")).selectByValue("node");
        browser.waiting().until(d -> "javascript"
                .equals(browser.script("return window.cronhookEditor.getModel().getLanguageId();")));
        assertThat((String) browser.script("return window.cronhookEditor.getValue();"))
                .contains("export default");
    }
}
