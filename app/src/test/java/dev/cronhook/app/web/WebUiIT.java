package dev.cronhook.app.web;

import static dev.cronhook.app.testing.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cronhook.app.testing.Http;
import dev.cronhook.app.testing.TestPlatform;
import dev.cronhook.app.testing.WireExecutor;
import dev.cronhook.core.build.BuildState;
import dev.cronhook.core.queue.redis.Streams;
import dev.cronhook.core.run.HttpReply;
import dev.cronhook.core.run.RunResult;
import dev.cronhook.core.run.RunStatus;
import io.lettuce.core.RedisClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

/**
 * The web UI in Debian's Chromium against the running app (roles api and web): sign-in, the editor, try-out (its
 * install progress live), webhook runs with their logs, cron preview, secrets, rollback, errors next to their
 * fields and the not-found page. Builds are reported on the real build-result stream and runs answered over the
 * real Redis streams (WireExecutor), as the builder and executor would. Ordered only so the screenshots show a few
 * scripts and runs.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebUiIT {
    private static TestPlatform platform;
    private static Browser browser;
    private static String token;

    @BeforeAll
    static void start() {
        platform = TestPlatform.start("api,web,try-out,scheduler", Map.of());
        token = platform.http.login("admin", TestPlatform.ADMIN_PASSWORD);
        browser = new Browser(platform.baseUrl());
    }

    @AfterAll
    static void stop() {
        if (browser != null) browser.close();
        if (platform != null) platform.close();
    }

    @Test
    @Order(1)
    void signingInWithAnApiUserOpensTheScriptsAndSigningOutEndsTheSession() {
        browser.driver.manage().deleteAllCookies();
        browser.open("/scripts");
        assertThat(browser.path()).isEqualTo("/login");
        browser.screenshot("sign-in");

        browser.fill("#username", "admin");
        browser.fill("#password", "not-the-password");
        browser.find("form button[type=submit]").click();
        assertThat(browser.await("#login-error").getText()).isEqualTo("Wrong username or password.");

        signIn();
        assertThat(browser.path()).isEqualTo("/scripts");
        assertThat(browser.find("h1").getText()).isEqualTo("Scripts");
        assertThat(browser.find(".topbar .who").getText()).isEqualTo("admin");

        browser.find(".signout button").click();
        browser.awaitText("main", "You are signed out.");
        browser.open("/scripts");
        assertThat(browser.path()).isEqualTo("/login");
        signIn();
    }

    @Test
    @Order(2)
    void pagesNeedTheSessionAndFormsNeedACsrfTokenWhileTheApiKeepsItsBearerTokens() {
        signIn();
        var http = platform.http;
        var page = http.send("GET", "/scripts", null, null, null);
        assertThat(page.status()).isEqualTo(302);
        assertThat(page.header("location")).endsWith("/login");

        String cookie = "cronhook_session="
                + browser.driver.manage().getCookieNamed("cronhook_session").getValue();
        var forged = send("POST", "/scripts", "application/x-www-form-urlencoded", "name=forged", cookie);
        assertThat(forged.status()).isEqualTo(403);
        assertThat(forged.text()).contains("CSRF");

        var api = send("GET", "/api/scripts", null, null, cookie);
        assertThat(api.status()).isEqualTo(401);
        assertThat(api.contentType()).contains("application/problem+json");
        assertThat(http.get("/api/scripts", token).status()).isEqualTo(200);

        // an error the api raises on a page is shown in its words
        browser.open("/scripts/" + UUID.randomUUID());
        assertThat(browser.find("h1").getText()).isEqualTo("Script not found");
        assertThat(browser.find(".alert.error").getText()).startsWith("no script with id");

        // the WebJar is served, with cache headers fit for a versioned path
        var monaco = send("GET", "/webjars/monaco-editor/0.52.2/min/vs/loader.js", null, null, cookie);
        assertThat(monaco.status()).isEqualTo(200);
        assertThat(monaco.header("cache-control")).contains("max-age=31536000");
    }

    @Test
    @Order(3)
    void aScriptWithADependencyIsWrittenTriedSavedAndRunByItsWebhookWithLiveLogs() throws Exception {
        signIn();
        browser.open("/scripts");
        browser.find("#new-script").click();
        browser.setCode("""
                import _ from "lodash";
                export default async function (event, ctx) {
                  console.log("hello from greeter");
                  return Response.json({ greeting: "hi " + _.capitalize(event.body.name) });
                }
                """);
        // JavaScript highlighting works offline: Monaco tokenized the code into more than one token class
        browser.waiting()
                .until(d -> ((Long) browser.script("return new Set([...document.querySelectorAll("
                                + "'#monaco .view-lines span span')].map(s => s.className)).size;"))
                        > 2);
        browser.fill("#name", "greeter");
        browser.find("#add-dependency").click();
        browser.fill("#dep-name-0", "lodash");
        browser.fill("#dep-range-0", "not a range!");
        browser.awaitText("#dependency-rows .dep-error", "is not a valid semver range");
        assertThat(browser.find("#dep-range-0").getAttribute("aria-invalid")).isEqualTo("true");
        browser.fill("#dep-range-0", "^4.17.21");
        browser.waiting()
                .until(ExpectedConditions.invisibilityOfElementLocated(By.cssSelector("#dependency-rows .dep-error")));
        browser.screenshot("editor");
        browser.fill("#max-concurrency", "3");

        browser.fill("#try-event", "{\"body\": {\"name\": \"ada\"}}");
        browser.find("#try-button").click();
        // the unsaved code runs with its dependency through the try-out role, and shows its output inline
        browser.awaitText("#try-status", "SUCCEEDED");
        browser.awaitText("#try-logs", "hello from greeter");
        browser.awaitText("#try-reply", "HTTP 200");
        browser.awaitText("#try-reply", "\"greeting\": \"hi Ada\"");

        browser.find("#save").click();
        browser.awaitText("#saved", "Saved as version 1");
        UUID id = UUID.fromString(browser.path().substring("/scripts/".length()));
        var saved = platform.http.get("/api/scripts/" + id, token).json();
        assertThat(saved.get("dependencies").toString()).isEqualTo("{\"lodash\":\"^4.17.21\"}");
        assertThat(saved.get("maxConcurrency").asInt()).isEqualTo(3);
        assertThat(browser.find("#max-concurrency").getAttribute("value")).isEqualTo("3");

        reportBuild(id, 1, BuildState.READY);
        awaitActive(id, 1);
        browser.open("/scripts/" + id);
        String webhookUrl = browser.find("#webhook-url").getAttribute("value");
        assertThat(webhookUrl).contains("/hooks/");

        var release = new CountDownLatch(1);
        var limitSeen = new AtomicInteger(-1);
        var redis = RedisClient.create(platform.redisUrl());
        try (var executor = new WireExecutor(platform.redisUrl(), r -> {
            limitSeen.set(r.maxConcurrency());
            try (var c = redis.connect()) {
                String stream = Streams.runLog(r.runId());
                c.sync().xadd(stream, line("stdout", "hello from greeter"));
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                c.sync().xadd(stream, line("stderr", "a warning on stderr"));
                c.sync().xadd(stream, Map.of("end", "SUCCEEDED"));
            }
            var now = Instant.now();
            return new RunResult(
                    r.runId(),
                    RunStatus.SUCCEEDED,
                    null,
                    new HttpReply(
                            200,
                            Map.of("content-type", List.of("application/json")),
                            "{\"greeting\":\"hi Ada\"}",
                            false),
                    null,
                    now,
                    now);
        })) {
            var call = platform.http.post(URI(webhookUrl).getPath() + "?async=true", json(Map.of("name", "ada")), null);
            assertThat(call.status()).isEqualTo(202);

            browser.open("/runs");
            browser.await("#runs tr[data-trigger=webhook] a").click();
            // live: the first line shows while the run is still going
            browser.awaitText("#run-log", "hello from greeter");
            assertThat(browser.find("#run-log").getText()).doesNotContain("a warning on stderr");
            release.countDown();
            browser.awaitText("#run-status", "SUCCEEDED");
            assertThat(limitSeen.get()).as("the executor is told the limit").isEqualTo(3);
            browser.awaitText("#run-log", "a warning on stderr");
            assertThat(browser.find("#run-result").getText()).contains("\"greeting\"");
            assertThat(browser.find("#run-event").getText()).contains("\"name\" : \"ada\"");
            browser.screenshot("run");
        } finally {
            redis.shutdown();
        }

        browser.open("/runs?trigger=webhook&status=SUCCEEDED");
        assertThat(browser.driver.findElements(By.cssSelector("#runs tbody tr")))
                .hasSize(1);
        browser.open("/runs?trigger=manual");
        assertThat(browser.find("#no-runs").getText()).isEqualTo("No runs match.");

        browser.open("/scripts?q=greet");
        var row = browser.find("#scripts tr[data-script=greeter]");
        assertThat(row.getText()).contains("READY").contains("SUCCEEDED").contains("on");
        browser.open("/scripts?q=nothing-like-it");
        assertThat(browser.find(".empty").getText()).contains("No script name contains");
    }

    @Test
    @Order(4)
    void aRunsEventCanBeReplayedAndAQueuedRunCancelled() {
        signIn();
        var id = createScript("replayer", "return 1;");
        reportBuild(id, 1, BuildState.READY);
        awaitActive(id, 1);
        var launched = platform.http.post("/api/scripts/" + id + "/runs", json(Map.of("event", Map.of("n", 7))), token);
        assertThat(launched.status()).isEqualTo(202);
        String runId = launched.json().get("id").asString();

        browser.open("/runs/" + runId);
        browser.find("#replay").click();
        browser.waiting().until(d -> !browser.path().equals("/runs/" + runId));
        assertThat(browser.find("#run-event").getText()).contains("\"n\" : 7").contains("\"trigger\" : \"manual\"");
        assertThat(browser.find("#run-status").getText()).isEqualTo("QUEUED");

        browser.find("#cancel").click();
        browser.awaitText("#notice", "Cancellation requested.");
        assertThat(browser.find("#run-status").getText()).isEqualTo("CANCELLED");
        assertThat(browser.driver.findElements(By.id("cancel"))).isEmpty();

        browser.open("/runs");
        assertThat(browser.find("#runs").getText()).contains("CANCELLED").contains("manual");
        browser.screenshot("runs");
    }

    @Test
    @Order(5)
    void aCronScheduleShowsItsMeaningAndItsNextFireTimesInTheChosenZone() {
        signIn();
        browser.open("/scripts/new");
        browser.setCode("export default async function () { return Date.now(); }");
        browser.fill("#name", "ticker");
        browser.find("#cron").click();
        browser.fill("#cron-expression", "*/1 * * * * *");
        browser.awaitText("#cron-preview", "Every second (UTC)");
        new Select(browser.find("#cron-timezone")).selectByValue("Europe/Berlin");
        browser.awaitText("#cron-preview", "Every second (Europe/Berlin)");
        browser.awaitText("#cron-next", "Europe/Berlin");
        assertThat(browser.driver.findElements(By.cssSelector("#cron-next li"))).hasSize(5);
        browser.fill("#cron-expression", "30 9 * * 1-5");
        browser.awaitText("#cron-preview", "At 09:30, on Monday through Friday (Europe/Berlin)");
        browser.fill("#cron-expression", "*/1 * * * * *");
        browser.awaitText("#cron-preview", "Every second");

        browser.find("#save").click();
        browser.awaitText("#saved", "Saved as version 1");
        assertThat(browser.find("#cron-expression").getAttribute("value")).isEqualTo("*/1 * * * * *");
        assertThat(browser.find("#cron-next").getText()).contains("Europe/Berlin");
        browser.open("/scripts");
        assertThat(browser.find("#scripts tr[data-script=ticker]").getText())
                .contains("Europe/Berlin")
                .contains("*/1 * * * * *");

        // once its build is READY the scheduler fires it, and the run shows up among the cron runs
        UUID id = null;
        for (var script : platform.http.get("/api/scripts", token).json()) {
            if (script.get("name").asString().equals("ticker"))
                id = UUID.fromString(script.get("id").asString());
        }
        assertThat(id).isNotNull();
        reportBuild(id, 1, BuildState.READY);
        browser.waiting().until(d -> {
            browser.open("/runs?trigger=cron");
            return !browser.driver
                    .findElements(By.cssSelector("#runs tbody tr"))
                    .isEmpty();
        });
        assertThat(browser.find("#runs tbody tr").getText()).contains("ticker").contains("cron");
        // stop it ticking for the tests after this one
        var off = platform.http.put(
                "/api/scripts/" + id,
                json(Map.of("name", "ticker", "code", "export default async function () { return Date.now(); }")),
                token);
        assertThat(off.status()).isEqualTo(200);
    }

    @Test
    @Order(6)
    void aBadCronExpressionIsShownNextToTheCronFieldAndTheFormKeepsWhatWasTyped() {
        signIn();
        browser.open("/scripts/new");
        browser.setCode("export default async function () { return 1; }");
        browser.fill("#name", "bad-cron");
        browser.find("#cron").click();
        browser.fill("#cron-expression", "61 * * * *");
        browser.awaitText("#cron-expression-error", "is not a valid cron expression");

        browser.find("#save").click();
        browser.awaitText("#save-failed", "fix the fields marked below");
        assertThat(browser.find("#cron-expression-error").getText()).contains("is not a valid cron expression");
        assertThat(browser.find("#cron-expression").getAttribute("aria-invalid"))
                .isEqualTo("true");
        assertThat(browser.find("#cron-expression").getAttribute("value")).isEqualTo("61 * * * *");
        assertThat(browser.find("#name").getAttribute("value")).isEqualTo("bad-cron");
        assertThat(browser.path()).isEqualTo("/scripts");

        // an error the api answers with a problem (the name is taken) shows under the name
        browser.fill("#name", "greeter");
        browser.fill("#cron-expression", "*/5 * * * *");
        browser.find("#save").click();
        browser.awaitText("#name-error", "greeter");
        browser.fill("#timeout", "100000");
        browser.fill("#max-concurrency", "0");
        browser.fill("#name", "bad-cron");
        browser.find("#save").click();
        browser.awaitText("#timeout-error", "must be between 1 and");
        browser.awaitText("#max-concurrency-error", "must be between 1 and 100");
        assertThat(browser.find("#max-concurrency").getAttribute("value")).isEqualTo("0");
    }

    @Test
    @Order(7)
    void aSecretIsSetAndItsValueIsNeverShownBack() {
        signIn();
        var id = createScript("with-secret", "return process.env.API_KEY.length;");
        browser.open("/scripts/" + id);
        browser.fill("#secret-name", "1BAD");
        browser.fill("#secret-value", "x");
        browser.find("#save-secret").click();
        browser.awaitText("#secret-name-error", "must be an environment variable name");

        browser.fill("#secret-name", "API_KEY");
        browser.fill("#secret-value", "s3cr3t-value-never-shown");
        browser.find("#save-secret").click();
        browser.awaitText("#notice", "never shown again");
        var row = browser.find("#secret-list tr[data-secret=API_KEY]");
        assertThat(row.findElement(By.cssSelector(".masked")).getText()).isEqualTo("••••••••");
        assertThat(browser.driver.getPageSource()).doesNotContain("s3cr3t-value-never-shown");
        assertThat(browser.find("#secret-value").getAttribute("value")).isEmpty();

        // replacing it keeps one row, still masked
        browser.fill("#secret-name", "API_KEY");
        browser.fill("#secret-value", "another-value-never-shown");
        browser.find("#save-secret").click();
        browser.awaitText("#notice", "never shown again");
        assertThat(browser.driver.findElements(By.cssSelector("#secret-list tbody tr")))
                .hasSize(1);
        assertThat(browser.driver.getPageSource()).doesNotContain("another-value-never-shown");

        // an Infisical binding: errors next to their fields, and its client secret never shown back
        browser.fill("#inf-siteUrl", "not a url");
        browser.fill("#inf-projectId", "project-1");
        browser.fill("#inf-environment", "prod");
        browser.fill("#inf-clientId", "client-1");
        browser.fill("#inf-clientSecret", "client-secret-never-shown");
        browser.find("#infisical form button[type=submit]").click();
        browser.awaitText("#infisical", "must be an http(s) URL");
        assertThat(browser.find("#inf-siteUrl").getAttribute("aria-invalid")).isEqualTo("true");
        assertThat(browser.find("#inf-projectId").getAttribute("value")).isEqualTo("project-1");
        browser.fill("#inf-siteUrl", "https://app.infisical.com");
        browser.fill("#inf-clientSecret", "client-secret-never-shown");
        browser.find("#infisical form button[type=submit]").click();
        browser.awaitText("#notice", "Infisical binding saved.");
        assertThat(browser.find("#infisical-bound").getText())
                .contains("project-1")
                .contains("prod");
        assertThat(browser.driver.getPageSource()).doesNotContain("client-secret-never-shown");

        // an API token is shown once, when it is made, and works against the API
        browser.open("/settings");
        browser.fill("#token-name", "ci");
        browser.find("#tokens button[type=submit]:not(.link)").click();
        String made = browser.await("#new-token").getAttribute("value");
        assertThat(made).startsWith("chk_");
        assertThat(platform.http.get("/api/scripts", made).status()).isEqualTo(200);
        browser.open("/settings");
        assertThat(browser.find("#token-list").getText()).contains("ci");
        assertThat(browser.driver.getPageSource()).doesNotContain(made);
    }

    @Test
    @Order(8)
    void rollingBackDeploysAnOlderReadyVersionFromTheVersionsPage() {
        signIn();
        var id = createScript("versioned", "return 1;");
        var update = platform.http.put(
                "/api/scripts/" + id,
                json(Map.of("name", "versioned", "code", "export default async function () { return 2; }")),
                token);
        assertThat(update.json().get("version").asInt()).isEqualTo(2);

        // while v2 builds, its log follows the builder's live stream, then the page shows the outcome
        browser.open("/scripts/" + id + "/versions");
        assertThat(browser.find("#version-2").getText()).contains("QUEUED");
        assertThat(browser.find("#deploy-2").isEnabled()).isFalse();
        var redis = RedisClient.create(platform.redisUrl());
        try (var c = redis.connect()) {
            c.sync().xadd(Streams.buildLog(id, 2), line("stdout", "resolving lodash@^4.17.21"));
            browser.awaitText("#build-log-2", "resolving lodash@^4.17.21");
            // one after the other: the recorder activates the newest READY version
            reportBuild(id, 1, BuildState.READY);
            awaitActive(id, 1);
            reportBuild(id, 2, BuildState.READY);
            awaitActive(id, 2);
            c.sync().xadd(Streams.buildLog(id, 1), Map.of("end", "READY"));
            c.sync().xadd(Streams.buildLog(id, 2), Map.of("end", "READY"));
        } finally {
            redis.shutdown();
        }
        browser.awaitText("#version-2", "deployed");

        browser.open("/scripts/" + id + "/versions");
        assertThat(browser.driver.findElements(By.id("deployed"))).isEmpty();
        assertThat(browser.find("#version-2").getText()).contains("deployed").contains("READY");
        browser.find("#version-1 + tr summary").click();
        browser.awaitText("#build-log-1", "added 1 package");
        browser.screenshot("versions");

        var rollback = browser.find("#deploy-1");
        assertThat(rollback.getText()).isEqualTo("Roll back to v1");
        rollback.click();
        browser.awaitText("#deployed", "Version 1 is now deployed");
        assertThat(browser.find("#deployed-version").getText()).isEqualTo("v1 is deployed");
        assertThat(browser.find("#version-1").getText()).contains("deployed");
        assertThat(platform.http
                        .get("/api/scripts/" + id, token)
                        .json()
                        .get("activeVersion")
                        .asInt())
                .isEqualTo(1);

        browser.open("/scripts");
        browser.screenshot("scripts");
    }

    @Test
    @Order(9)
    void aNewDependencysInstallProgressAndTheLogsShowWhileTheTryOutRunsBeforeItsResult() {
        signIn();
        browser.open("/scripts/new");
        browser.setCode("""
                import isOdd from "is-odd";
                export default async function (event, ctx) {
                  console.log("is 3 odd?");
                  return { odd: isOdd(3) };
                }
                """);
        browser.find("#add-dependency").click();
        browser.fill("#dep-name-0", "is-odd");
        browser.fill("#dep-range-0", "^3.0.1");
        // every state the panel passes through, as the page changes it
        browser.script("""
                window.tryOutStates = [];
                new MutationObserver(function () {
                  var install = document.getElementById("try-install");
                  window.tryOutStates.push({
                    installLines: install ? install.querySelectorAll(".line").length : 0,
                    logLines: document.querySelectorAll("#try-logs .line").length,
                    result: !!document.getElementById("try-result"),
                    done: document.getElementById("try-output").dataset.state === "done"
                  });
                }).observe(document.getElementById("try-output"),
                  { childList: true, subtree: true, attributes: true, characterData: true });
                """);
        browser.fill("#try-event", "{}");
        browser.find("#try-button").click();
        browser.awaitText("#try-status", "SUCCEEDED");
        browser.awaitText("#try-result", "\"odd\": true");
        assertThat(browser.find("#try-install").getAttribute("textContent")).contains("$ npm ci");
        assertThat(browser.find("#try-logs").getText()).contains("is 3 odd?");
        browser.script("document.getElementById('try').scrollIntoView();");
        browser.screenshot("try-out");

        @SuppressWarnings("unchecked")
        var states = (List<Map<String, Object>>) browser.script("return window.tryOutStates;");
        assertThat(states)
                .as("the install's lines were on the page while the try-out was still running")
                .anyMatch(st -> ((Number) st.get("installLines")).intValue() > 0
                        && !(Boolean) st.get("result")
                        && !(Boolean) st.get("done"));
        int firstInstall = indexOf(states, st -> ((Number) st.get("installLines")).intValue() > 0);
        int firstLog = indexOf(states, st -> ((Number) st.get("logLines")).intValue() > 0);
        int firstResult = indexOf(states, st -> (Boolean) st.get("result"));
        assertThat(firstInstall).isNotNegative().isLessThan(firstLog);
        assertThat(firstLog).isLessThanOrEqualTo(firstResult);
    }

    @Test
    @Order(10)
    void anUnknownPageIsANotFoundPageInTheSignedInFrameWhileApiPathsKeepTheirProblemDocuments() {
        signIn();
        browser.open("/no-such-page");
        assertThat(browser.find("h1").getText()).isEqualTo("Page not found");
        assertThat(browser.find(".alert.error").getText()).isEqualTo("There is no page at /no-such-page.");
        assertThat(browser.find(".topbar .who").getText()).isEqualTo("admin");
        browser.open("/scripts/not-an-id");
        assertThat(browser.find("h1").getText()).isEqualTo("Page not found");

        String cookie = "cronhook_session="
                + browser.driver.manage().getCookieNamed("cronhook_session").getValue();
        var page = send("GET", "/runs/" + UUID.randomUUID() + "/nothing-here", null, null, cookie);
        assertThat(page.status()).isEqualTo(404);
        assertThat(page.contentType()).startsWith("text/html");
        assertThat(page.text()).contains("Page not found").contains("Sign out");

        var signedOut = send("GET", "/no-such-page", null, null, "");
        assertThat(signedOut.status()).as("nothing is said to a stranger").isEqualTo(302);
        assertThat(signedOut.header("location")).endsWith("/login");

        for (var path : List.of("/api/no-such-thing", "/actuator/no-such-thing")) {
            var api = platform.http.get(path, token);
            assertThat(api.status()).as(path).isEqualTo(404);
            assertThat(api.contentType()).as(path).contains("application/problem+json");
        }
    }

    private static int indexOf(List<Map<String, Object>> states, java.util.function.Predicate<Map<String, Object>> p) {
        for (int i = 0; i < states.size(); i++) if (p.test(states.get(i))) return i;
        return -1;
    }

    private static void signIn() {
        browser.open("/scripts");
        if (!browser.path().equals("/login")) return;
        browser.fill("#username", "admin");
        browser.fill("#password", TestPlatform.ADMIN_PASSWORD);
        browser.find("form button[type=submit]").click();
        browser.waiting().until(d -> browser.path().equals("/scripts"));
    }

    private static UUID createScript(String name, String body) {
        var created = platform.http.post(
                "/api/scripts",
                json(Map.of("name", name, "code", "export default async function (event, ctx) { " + body + " }")),
                token);
        assertThat(created.status()).isEqualTo(201);
        return UUID.fromString(created.json().get("id").asString());
    }

    private static void awaitActive(UUID id, int version) {
        platform.awaitActive(id, version, token, Duration.ofSeconds(20));
    }

    private static Map<String, String> line(String stream, String text) {
        return Map.of("t", Long.toString(System.currentTimeMillis()), "stream", stream, "line", text);
    }

    private static java.net.URI URI(String s) {
        return java.net.URI.create(s);
    }

    private static Http.Response send(String method, String path, String contentType, String body, String cookie) {
        try {
            var b = java.net.http.HttpRequest.newBuilder(java.net.URI.create(platform.baseUrl() + path))
                    .header("Cookie", cookie)
                    .header("Accept", "text/html");
            if (contentType != null) b.header("Content-Type", contentType);
            b.method(
                    method,
                    body == null
                            ? java.net.http.HttpRequest.BodyPublishers.noBody()
                            : java.net.http.HttpRequest.BodyPublishers.ofString(body));
            var r = java.net.http.HttpClient.newBuilder()
                    .version(java.net.http.HttpClient.Version.HTTP_1_1)
                    .build()
                    .send(b.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            return new Http.Response(r.statusCode(), r.headers(), r.body());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Reports a build result on the builders' result stream, as a builder does. */
    private static void reportBuild(UUID scriptId, int version, BuildState state) {
        platform.reportBuild(scriptId, version, state);
    }
}
