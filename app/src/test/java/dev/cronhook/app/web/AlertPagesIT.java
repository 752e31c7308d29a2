package dev.cronhook.app.web;

import static dev.cronhook.app.testing.Http.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cronhook.app.testing.AlertReceiver;
import dev.cronhook.app.testing.TestPlatform;
import dev.cronhook.core.build.BuildState;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.Select;

/**
 * The alert pages in Chromium: a channel added on the alerts page, its test alert at a receiver on 127.0.0.1; a
 * script paused and resumed from its page; its rules saved; a failed build's incident acknowledged and resolved.
 */
class AlertPagesIT {
    private static TestPlatform platform;
    private static Browser browser;
    private static String token;
    private static AlertReceiver receiver;

    @BeforeAll
    static void start() {
        receiver = new AlertReceiver();
        platform = TestPlatform.start("scheduler,web", Map.of("cronhook.egress.allow-private", "127.0.0.1/32"));
        token = platform.http.login("admin", TestPlatform.ADMIN_PASSWORD);
        browser = new Browser(platform.baseUrl());
        browser.open("/login");
        browser.fill("#username", "admin");
        browser.fill("#password", TestPlatform.ADMIN_PASSWORD);
        browser.find("form button[type=submit]").click();
        browser.waiting().until(d -> !browser.path().equals("/login"));
    }

    @AfterAll
    static void stop() {
        if (browser != null) browser.close();
        if (platform != null) platform.close();
        if (receiver != null) receiver.close();
    }

    @Test
    void aChannelAddedOnTheAlertsPageGetsItsTestAlert() {
        browser.open("/alerts");
        browser.fill("#channel-name", "ops hook");
        new Select(browser.find("#channel-kind")).selectByValue("webhook");
        browser.fill("#channel-url", receiver.url("/page-test"));
        browser.fill("#channel-secret", "a-secret-from-the-page-0123");
        browser.find("#channel-form button[type=submit]").click();
        browser.awaitText("#notice", "Channel added");
        assertThat(browser.driver.getPageSource()).doesNotContain("a-secret-from-the-page-0123");
        browser.screenshot("alerts");

        browser.driver
                .findElement(By.cssSelector("#channel-list button[aria-label='Send a test alert to ops hook']"))
                .click();
        browser.awaitText("#notice", "Test alert queued");
        await().atMost(Duration.ofSeconds(15))
                .until(() -> receiver.received("/page-test").size() == 1);
        assertThat(receiver.received("/page-test").getFirst().body()).contains("test alert");

        // a bad one: the page says which field
        browser.fill("#channel-name", "bad");
        new Select(browser.find("#channel-kind")).selectByValue("webhook");
        browser.fill("#channel-url", "ftp://example.com/");
        browser.find("#channel-form button[type=submit]").click();
        browser.awaitText("#channel-errors", "url");
    }

    @Test
    void aScriptIsPausedAndResumedFromItsPageAndItsRulesAndIncidentsAreThere() {
        var created = platform.http.post(
                "/api/scripts",
                json(Map.of("name", "paused-in-browser", "code", "export default async () => 1;")),
                token);
        var id = UUID.fromString(created.json().get("id").asString());
        platform.deploy(id, 1, token);

        browser.open("/scripts/" + id);
        browser.await("#pause-button").click();
        browser.awaitText("#paused", "Paused");
        assertThat(platform.http
                        .get("/api/scripts/" + id, token)
                        .json()
                        .get("paused")
                        .asBoolean())
                .isTrue();
        browser.await("#pause-button").click();
        browser.awaitText("#notice", "Resumed");
        assertThat(platform.http
                        .get("/api/scripts/" + id, token)
                        .json()
                        .get("paused")
                        .asBoolean())
                .isFalse();

        browser.find("#alerts-link").click();
        browser.fill("#rule-pause", "4");
        browser.find("#rules-form button[type=submit]").click();
        browser.awaitText("#notice", "Rules saved");
        assertThat(platform.http
                        .get("/api/scripts/" + id + "/alerts", token)
                        .json()
                        .get("pauseAfterConsecutiveFailures")
                        .asInt())
                .isEqualTo(4);

        // a failed build opens an incident (rule buildFailed, on by default)
        platform.http.put(
                "/api/scripts/" + id,
                json(Map.of("name", "paused-in-browser", "code", "export default async () => 2;")),
                token);
        platform.reportBuild(id, 2, BuildState.FAILED);
        browser.waiting().until(d -> {
            browser.open("/scripts/" + id + "/alerts");
            return !d.findElements(By.cssSelector("#script-incidents a")).isEmpty();
        });
        browser.open("/alerts");
        browser.awaitText("#incident-list", "paused-in-browser");
        browser.open("/scripts/" + id + "/alerts");
        browser.find("#script-incidents a").click();
        browser.awaitText("#incident-summary", "a build failed");
        browser.screenshot("incident");
        browser.find("#acknowledge").click();
        browser.awaitText("#incident-status", "acknowledged");
        browser.find("#resolve").click();
        browser.awaitText("#incident-status", "resolved");
    }
}
