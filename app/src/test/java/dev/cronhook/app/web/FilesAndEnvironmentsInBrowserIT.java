package dev.cronhook.app.web;

import static dev.cronhook.app.testing.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cronhook.app.testing.TestPlatform;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import tools.jackson.databind.JsonNode;

/** The editor's files and the environments in a real Chromium (issue 22's web half). */
class FilesAndEnvironmentsInBrowserIT {
    private static TestPlatform platform;
    private static Browser browser;
    private static String token;

    @BeforeAll
    static void start() {
        platform = TestPlatform.start("api,web,try-out", Map.of());
        token = platform.http.login("admin", TestPlatform.ADMIN_PASSWORD);
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
    void aMultiFileScriptMadeThroughTheApiKeepsEveryFileWhenSavedInTheBrowser() {
        var files = new LinkedHashMap<String, String>();
        files.put("index.mjs", "import { greet } from './lib/greet.mjs';\nexport default async () => greet('ada');\n");
        files.put("lib/greet.mjs", "export const greet = (name) => 'hi ' + name;\n");
        files.put("data.json", "{\"greeting\": \"hi\"}\n");
        files.put("notes.txt", "\nstarts with a blank line\n");
        var created = platform.http.post("/api/scripts", json(Map.of("name", "multi", "files", files)), token);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String id = created.json().get("id").asString();

        browser.open("/scripts/" + id);
        browser.await("#monaco.ready");
        assertThat(texts("#file-tree .file-item"))
                .containsExactly("index.mjs entry", "data.json", "notes.txt", "greet.mjs");
        assertThat(texts("#file-tree .file-dir")).containsExactly("lib/");

        // saved untouched: every file comes back as it was (no new version)
        browser.find("#save").click();
        browser.awaitText("#saved", "Settings saved");

        browser.find("#file-tree .file-item[data-path='lib/greet.mjs']").click();
        assertThat(browser.script("return window.cronhookEditor.getValue();")).isEqualTo(files.get("lib/greet.mjs"));
        browser.script("window.cronhookEditor.setValue(arguments[0]);", "export const greet = (n) => 'hello ' + n;\n");
        browser.find("#save").click();
        browser.awaitText("#saved", "Saved as version 2");

        var saved = platform.http.get("/api/scripts/" + id, token).json();
        assertThat(saved.get("version").asInt()).isEqualTo(2);
        assertThat(textsOf(saved.get("files")))
                .containsOnlyKeys("index.mjs", "lib/greet.mjs", "data.json", "notes.txt")
                .containsEntry("index.mjs", files.get("index.mjs"))
                .containsEntry("lib/greet.mjs", "export const greet = (n) => 'hello ' + n;\n")
                .containsEntry("data.json", files.get("data.json"))
                .containsEntry("notes.txt", files.get("notes.txt"));
        var versions =
                platform.http.get("/api/scripts/" + id + "/versions", token).json();
        assertThat(versions.size()).isEqualTo(2);
    }

    @Test
    void aFileAddedInTheEditorIsSavedAndAFilesErrorShowsAtThatFile() {
        browser.open("/scripts/new");
        browser.await("#monaco.ready");
        browser.fill("#name", "added");

        newFile("../escape.mjs");
        browser.awaitText("#file-action-error", "no '..'");
        newFile("package.json");
        browser.awaitText("#file-action-error", "Dependencies rows");

        newFile("lib/util.mjs");
        browser.script("window.cronhookEditor.setValue(arguments[0]);", "export const twice = (n) => n * 2;\n");
        newFile("broken.mjs");
        browser.script("window.cronhookEditor.setValue(arguments[0]);", "export const = ;\n");
        browser.find("#file-tree .file-item[data-path='index.mjs']").click();
        browser.setCode("import { twice } from './lib/util.mjs';\nexport default async () => twice(21);\n");
        browser.find("#save").click();

        // refused: the broken file is marked in the tree, its error beside it when shown, the rest kept as typed
        browser.await("#file-tree .file-item.invalid[data-path='broken.mjs']");
        browser.find("#file-tree .file-item[data-path='broken.mjs']").click();
        browser.awaitText(".source-file[data-path='broken.mjs'] .file-error", "syntax error at line 1");
        browser.find("#file-tree .file-item[data-path='lib/util.mjs']").click();
        assertThat(browser.script("return window.cronhookEditor.getValue();"))
                .isEqualTo("export const twice = (n) => n * 2;\n");

        browser.find("#file-tree .file-item[data-path='broken.mjs']").click();
        browser.find("#delete-file").click();
        browser.waiting().until(ExpectedConditions.alertIsPresent()).accept();
        assertThat(browser.driver.findElements(By.cssSelector("#file-tree .file-item[data-path='broken.mjs']")))
                .isEmpty();
        browser.find("#save").click();
        browser.awaitText("#saved", "Saved as version 1");

        UUID id = UUID.fromString(browser.path().substring("/scripts/".length()));
        var saved = platform.http.get("/api/scripts/" + id, token).json();
        assertThat(textsOf(saved.get("files")))
                .containsOnlyKeys("index.mjs", "lib/util.mjs")
                .containsEntry("lib/util.mjs", "export const twice = (n) => n * 2;\n");
        assertThat(saved.get("environment").asString()).isEqualTo("dev");
    }

    @Test
    void aProtectedProdScriptIsReadOnlyAndThePromoteButtonPromotesToIt() {
        browser.open("/settings");
        browser.find("#environment-list tr[data-environment=prod] .protect-button")
                .click();
        browser.awaitText("#notice", "Environment protected");
        assertThat(browser.find("#environment-list tr[data-environment=prod] .protection")
                        .getText())
                .isEqualTo("yes");

        var created = platform.http.post(
                "/api/scripts",
                json(Map.of(
                        "name",
                        "shipped",
                        "files",
                        Map.of(
                                "index.mjs",
                                "import { v } from './v.mjs';\nexport default async () => v;\n",
                                "v.mjs",
                                "export const v = 1;\n"))),
                token);
        UUID devId = UUID.fromString(created.json().get("id").asString());
        platform.deploy(devId, 1, token);

        browser.open("/scripts/" + devId);
        assertThat(browser.find("#environment-badge").getText()).isEqualTo("dev");
        new Select(browser.find("#promote-to")).selectByValue("prod");
        browser.find("#promote-button").click();
        browser.waiting().until(ExpectedConditions.alertIsPresent()).accept();
        browser.awaitText("#notice", "Promoted from dev");

        // the prod script: read-only, saying why, with the dev script's files
        UUID prodId = UUID.fromString(browser.path().substring("/scripts/".length()));
        assertThat(prodId).isNotEqualTo(devId);
        assertThat(browser.find("#environment-badge").getText()).isEqualTo("prod (protected)");
        assertThat(browser.find("#read-only").getText()).contains("only a promotion");
        assertThat(browser.find("#save").isEnabled()).isFalse();
        browser.await("#monaco.ready");
        assertThat(browser.script("return window.cronhookEditor.getOption(monaco.editor.EditorOption.readOnly);"))
                .isEqualTo(true);
        assertThat(texts("#file-tree .file-item")).containsExactly("index.mjs entry", "v.mjs");
        assertThat(browser.find(".file-actions").isDisplayed()).isFalse();
        var prod = platform.http.get("/api/scripts/" + prodId, token).json();
        var dev =
                platform.http.get("/api/scripts/" + devId + "/versions", token).json();
        var prodVersions =
                platform.http.get("/api/scripts/" + prodId + "/versions", token).json();
        assertThat(prod.get("environment").asString()).isEqualTo("prod");
        assertThat(prod.get("activeVersion").asInt()).isEqualTo(1);
        assertThat(prodVersions.get(0).get("imageDigest").asString())
                .isEqualTo(dev.get(0).get("imageDigest").asString());

        // a save forced past the disabled form is refused with the api's reason
        browser.script("document.getElementById('script-fields').disabled = false;");
        browser.find("#save").click();
        browser.awaitText("#problem", "environment prod is protected: only promote changes its scripts");
        assertThat(platform.http
                        .get("/api/scripts/" + prodId, token)
                        .json()
                        .get("version")
                        .asInt())
                .isEqualTo(1);

        // the list shows where each script lives, and filters by it
        browser.open("/scripts?env=prod");
        assertThat(texts("#scripts tbody td.environment")).containsOnly("prod");
        assertThat(browser.find("#scripts tr[data-script=shipped][data-environment=prod]")
                        .isDisplayed())
                .isTrue();
    }

    @Test
    void sharedSecretsAreSetPerEnvironmentOnTheSettingsPage() {
        browser.open("/settings?env=prod");
        assertThat(browser.find("#secrets-title").getText()).isEqualTo("Secrets for all scripts of prod");
        browser.fill("#secret-name", "PROD_ONLY");
        browser.fill("#secret-value", "s3cret");
        browser.find("#save-secret").click();
        browser.awaitText("#notice", "Secret saved");
        assertThat(browser.find("#secret-list").getText()).contains("PROD_ONLY");

        assertThat(names(platform.http
                        .get("/api/secrets?environment=prod", token)
                        .json()))
                .contains("PROD_ONLY");
        assertThat(names(
                        platform.http.get("/api/secrets?environment=dev", token).json()))
                .doesNotContain("PROD_ONLY");
    }

    @Test
    void tryItRunsAScriptOfTwoFilesFromTheEditor() {
        browser.open("/scripts/new");
        browser.await("#monaco.ready");
        newFile("maths.mjs");
        browser.script("window.cronhookEditor.setValue(arguments[0]);", "export const add = (a, b) => a + b;\n");
        // renamed: the same text under the new path
        browser.find("#rename-file").click();
        var prompt = browser.waiting().until(ExpectedConditions.alertIsPresent());
        prompt.sendKeys("math.mjs");
        prompt.accept();
        assertThat(texts("#file-tree .file-item")).containsExactly("index.mjs entry", "math.mjs");
        assertThat(browser.script("return window.cronhookEditor.getValue();"))
                .isEqualTo("export const add = (a, b) => a + b;\n");
        browser.find("#file-tree .file-item[data-path='index.mjs']").click();
        browser.setCode("import { add } from './math.mjs';\n"
                + "export default async (event) => ({ sum: add(event.body.a, event.body.b) });\n");
        browser.fill("#try-event", "{\"body\": {\"a\": 2, \"b\": 3}}");
        browser.find("#try-button").click();
        browser.awaitText("#try-status", "SUCCEEDED");
        browser.awaitText("#try-result", "\"sum\": 5");
    }

    private static void newFile(String path) {
        browser.find("#new-file").click();
        var prompt = browser.waiting().until(ExpectedConditions.alertIsPresent());
        prompt.sendKeys(path);
        prompt.accept();
    }

    private static List<String> texts(String css) {
        return browser.driver.findElements(By.cssSelector(css)).stream()
                .map(org.openqa.selenium.WebElement::getText)
                .toList();
    }

    private static Map<String, String> textsOf(JsonNode files) {
        var out = new LinkedHashMap<String, String>();
        files.properties().forEach(e -> out.put(e.getKey(), e.getValue().asString()));
        return out;
    }

    private static List<String> names(JsonNode secrets) {
        var out = new java.util.ArrayList<String>();
        secrets.forEach(s -> out.add(s.get("name").asString()));
        return out;
    }
}
