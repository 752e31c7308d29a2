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
        // the refused code is back in the editor, marked where the server found the error
        browser.await("#monaco.ready");
        @SuppressWarnings("unchecked")
        var markers = (java.util.List<Map<String, Object>>)
                browser.script("return monaco.editor.getModelMarkers({owner: 'cronhook-save'});");
        assertThat(markers).hasSize(1);
        assertThat(((Number) markers.getFirst().get("startLineNumber")).intValue())
                .isEqualTo(3);
        assertThat(((Number) markers.getFirst().get("startColumn")).intValue()).isEqualTo(12);
    }

    @Test
    void swaggerUiRendersTheApiUnderThePagesPolicyFromTheNavigationsLink() {
        browser.open("/scripts");
        var console = new ArrayList<>(browser.consoleMessages());
        browser.find("#api-docs-link").click();
        browser.awaitText(".swagger-ui .info .title", "Cronhook API");
        browser.awaitText(".swagger-ui", "/api/scripts/{id}");
        console.addAll(browser.consoleMessages());
        assertThat(console).noneMatch(m -> m.contains("Content Security Policy") || m.contains("Refused to"));
    }

    @Test
    void theEditorSaysWhatASaveDidAndWhyABuildFailedAndExplainsABadCronExpressionPlainly() {
        String token = platform.http.login("admin", TestPlatform.ADMIN_PASSWORD);
        var created = platform.http.post(
                "/api/scripts",
                dev.cronhook.app.testing.Http.json(
                        Map.of("name", "fails-to-build", "code", "export default async () => 1;\n")),
                token);
        String id = created.json().get("id").asString();
        platform.reportBuild(java.util.UUID.fromString(id), 1, dev.cronhook.core.build.BuildState.FAILED);
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(20))
                .until(() -> platform.http
                        .get("/api/scripts/" + id, token)
                        .json()
                        .get("buildState")
                        .asString()
                        .equals("FAILED"));

        browser.open("/scripts/" + id);
        browser.awaitText("#build-failed", "The build of version 1 failed");
        assertThat(browser.find("#build-failed").getText())
                .contains("npm error 404 no such package")
                .contains("its webhook answers 409");

        // a change of settings only: no new version, and the page says so
        browser.fill("#timeout", "42");
        browser.find("#save").click();
        browser.awaitText("#saved", "Settings saved");
        assertThat(browser.find("#saved").getText()).contains("no new version is built");

        // an invalid cron expression, as the user wrote it, with the field's plain name
        browser.find("#cron").click();
        browser.fill("#cron-expression", "0 25 * * *");
        browser.find("#save").click();
        browser.awaitText("#cron-expression-error", "\"0 25 * * *\" is not a valid cron expression");
        assertThat(browser.find("#cron-expression-error").getText())
                .contains("the hour field '25' is out of range (0-23)")
                .doesNotContain("HourOfDay")
                .doesNotContain("0 0 25");
    }

    @Test
    void rotatingTheWebhookAsksFirstAndUnsavedCodeIsNotLostWithoutAsking() {
        String token = platform.http.login("admin", TestPlatform.ADMIN_PASSWORD);
        var created = platform.http.post(
                "/api/scripts",
                dev.cronhook.app.testing.Http.json(
                        Map.of("name", "guarded", "code", "export default async () => 1;\n")),
                token);
        String id = created.json().get("id").asString();
        String url = created.json().get("webhookUrl").asString();
        browser.open("/scripts/" + id);
        browser.setCode("export default async () => 2; // not saved yet\n");

        browser.find("#rotate-button").click();
        var alert = browser.waiting().until(org.openqa.selenium.support.ui.ExpectedConditions.alertIsPresent());
        assertThat(alert.getText()).contains("Rotate the webhook?").contains("old one stops working");
        alert.accept();
        alert = browser.waiting().until(org.openqa.selenium.support.ui.ExpectedConditions.alertIsPresent());
        assertThat(alert.getText()).contains("not saved");
        alert.dismiss();
        assertThat(browser.script("return window.cronhookEditor.getValue();"))
                .asString()
                .contains("not saved yet");
        assertThat(platform.http
                        .get("/api/scripts/" + id, token)
                        .json()
                        .get("webhookUrl")
                        .asString())
                .isEqualTo(url);

        // asked and told to go on: rotated, and the unsaved code is gone as the user chose
        browser.find("#rotate-button").click();
        browser.waiting()
                .until(org.openqa.selenium.support.ui.ExpectedConditions.alertIsPresent())
                .accept();
        browser.waiting()
                .until(org.openqa.selenium.support.ui.ExpectedConditions.alertIsPresent())
                .accept();
        browser.awaitText("#notice", "The webhook has a new URL");
        assertThat(platform.http
                        .get("/api/scripts/" + id, token)
                        .json()
                        .get("webhookUrl")
                        .asString())
                .isNotEqualTo(url);
    }

    @Test
    void aNewScriptStartsFromATemplateThatAnswersWithAResponseOrFromAStartingPoint() {
        browser.open("/scripts/new");
        browser.await("#monaco.ready");
        assertThat(browser.script("return window.cronhookEditor.getValue();"))
                .asString()
                .contains("Return a Response")
                .doesNotContain("{ status, headers, body }");
        var select = new org.openqa.selenium.support.ui.Select(browser.find("#starting-point"));
        assertThat(select.getOptions().stream().map(org.openqa.selenium.WebElement::getText))
                .contains("Webhook reply", "Cron job", "Call an API with a secret");
        select.selectByVisibleText("Webhook reply");
        assertThat(browser.script("return window.cronhookEditor.getValue();"))
                .asString()
                .contains("new Response(");

        // changed code is not replaced without asking
        browser.setCode("export default async () => 'mine';\n");
        select.selectByVisibleText("Cron job");
        browser.waiting()
                .until(org.openqa.selenium.support.ui.ExpectedConditions.alertIsPresent())
                .dismiss();
        assertThat(browser.script("return window.cronhookEditor.getValue();"))
                .asString()
                .contains("'mine'");
        select.selectByVisibleText("Cron job");
        browser.waiting()
                .until(org.openqa.selenium.support.ui.ExpectedConditions.alertIsPresent())
                .accept();
        assertThat(browser.script("return window.cronhookEditor.getValue();"))
                .asString()
                .contains("event.scheduledAt");
        assertThat(browser.find("#cron").isSelected()).isTrue();
    }

    @Test
    void aFailedSignInKeepsTheUsernameAndThePagesHaveAFavicon() {
        try (var other = new Browser(platform.baseUrl())) {
            other.open("/login");
            other.fill("#username", "admin");
            other.fill("#password", "not-the-password");
            other.find("form button[type=submit]").click();
            assertThat(other.await("#login-error").getText()).isEqualTo("Wrong username or password.");
            assertThat(other.find("#username").getAttribute("value")).isEqualTo("admin");
            assertThat(other.find("#password").getAttribute("value")).isEmpty();
            Object favicon = other.script(
                    "return fetch(document.querySelector('link[rel=icon]').href).then(r => r.status + ' ' +"
                            + " r.headers.get('content-type'));");
            assertThat(favicon).asString().startsWith("200 image/svg+xml");
        }
    }

    static List<String> texts(String css) {
        return browser.driver.findElements(org.openqa.selenium.By.cssSelector(css)).stream()
                .map(org.openqa.selenium.WebElement::getText)
                .toList();
    }
}
