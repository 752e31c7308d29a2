package dev.cronhook.app.alert;

import static dev.cronhook.app.testing.Http.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.cronhook.app.testing.AlertReceiver;
import dev.cronhook.app.testing.Http;
import dev.cronhook.app.testing.TestPlatform;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A failing cron script on the whole platform (the real builder, registry on 127.0.0.1:5000 and Docker executor)
 * alerts once per incident on every kind of channel: by e-mail at a real SMTP server (GreenMail), by Slack-format and
 * signed webhooks at a receiver on 127.0.0.1 (the signature verifies), and as a run of an error-handler script whose
 * event is the alert; once fixed, its first successful run alerts the recovery on each, once.
 */
class AlertsOnRealPlatformIT {
    static final String FAILING = "export default async function () { throw new Error('the upstream is down'); }";
    static final String FIXED = "export default async function () { return { ok: true }; }";
    static final String HANDLER = "export default async function (event) { return { got: event.alert.event }; }";

    @Test
    void aFailingCronScriptAlertsOnEveryChannelOnceAndItsRecoveryOnce() throws Exception {
        var smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
        smtp.start();
        var receiver = new AlertReceiver();
        var platform = TestPlatform.start(
                "all",
                Map.of(
                        "cronhook.builder.target", "registry",
                        "cronhook.builder.registry", "127.0.0.1:5000",
                        "cronhook.executor.runtime", "docker",
                        // the test's receivers are on 127.0.0.1
                        "cronhook.egress.allow-private", "127.0.0.1/32"));
        try {
            Http http = platform.http;
            var token = http.login("admin", TestPlatform.ADMIN_PASSWORD);
            var handler = create(http, token, "error-handler", HANDLER, null);
            awaitActive(http, token, handler, 1);
            var failing = create(http, token, "nightly-report", FAILING, null);
            awaitActive(http, token, failing, 1);

            String secret = "the-receivers-signing-secret";
            var channels = List.of(
                    Map.<String, Object>of(
                            "name",
                            "mail",
                            "kind",
                            "email",
                            "host",
                            "127.0.0.1",
                            "port",
                            smtp.getSmtp().getPort(),
                            "tls",
                            "none",
                            "from",
                            "cronhook@example.test",
                            "to",
                            List.of("oncall@example.test"),
                            "script",
                            failing),
                    Map.<String, Object>of(
                            "name", "chat", "kind", "slack", "url", receiver.url("/slack"), "script", failing),
                    Map.<String, Object>of(
                            "name",
                            "hook",
                            "kind",
                            "webhook",
                            "url",
                            receiver.url("/hook"),
                            "secret",
                            secret,
                            "script",
                            failing),
                    Map.<String, Object>of(
                            "name", "handler", "kind", "script", "runScript", handler, "script", failing));
            for (var c : channels) {
                var r = http.post("/api/alerts/channels", json(c), token);
                assertThat(r.status()).as(r.toString()).isEqualTo(201);
            }

            // every second second from now on, each run failing
            var cron = put(http, token, failing, FAILING, Map.of("expression", "*/2 * * * * *", "timezone", "UTC"));
            assertThat(cron.status()).as(cron.toString()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(60)).until(() -> failedCronRuns(http, token, failing) >= 3);

            await().atMost(Duration.ofSeconds(15))
                    .until(() -> receiver.received("/hook").size() == 1);
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> receiver.received("/slack").size() == 1);
            assertThat(smtp.waitForIncomingEmail(15_000, 1)).isTrue();
            var handled = await().atMost(Duration.ofSeconds(60))
                    .until(
                            () -> runs(http, token, handler),
                            r -> r.size() == 1
                                    && r.getFirst().get("status").asString().equals("SUCCEEDED"));
            assertThat(handled.getFirst().get("result").get("got").asString()).isEqualTo("incident.opened");

            var hook = receiver.received("/hook").getFirst();
            var alert = Alerts.body(hook);
            assertThat(alert.get("event").asString()).isEqualTo("incident.opened");
            assertThat(alert.get("detail").asString()).contains("the upstream is down");
            assertThat(hook.header("X-Cronhook-Signature"))
                    .isEqualTo(Alerts.expectedSignature(secret, hook.header("X-Cronhook-Timestamp"), hook.body()));
            assertThat(Alerts.body(receiver.received("/slack").getFirst())
                            .get("text")
                            .asString())
                    .contains("nightly-report");
            assertThat(smtp.getReceivedMessages()[0].getSubject()).contains("nightly-report");

            // more failures of the same incident alert no more
            int failedSoFar = failedCronRuns(http, token, failing);
            await().atMost(Duration.ofSeconds(30)).until(() -> failedCronRuns(http, token, failing) >= failedSoFar + 3);
            assertThat(receiver.received("/hook")).hasSize(1);
            assertThat(receiver.received("/slack")).hasSize(1);
            assertThat(smtp.getReceivedMessages()).hasSize(1);
            assertThat(runs(http, token, handler)).hasSize(1);

            // fixed: the first success resolves the incident and alerts its recovery, once per channel
            var fix = put(http, token, failing, FIXED, Map.of("expression", "*/2 * * * * *", "timezone", "UTC"));
            assertThat(fix.status()).isEqualTo(200);
            awaitActive(http, token, failing, 2);
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> receiver.received("/hook").size() == 2);
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> receiver.received("/slack").size() == 2);
            assertThat(smtp.waitForIncomingEmail(15_000, 2)).isTrue();
            assertThat(Alerts.body(receiver.received("/hook").get(1))
                            .get("event")
                            .asString())
                    .isEqualTo("incident.recovered");
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> runs(http, token, handler).size() == 2);
            var incidents = Alerts.incidentsOf(http, token, failing);
            assertThat(incidents).hasSize(1);
            assertThat(incidents.getFirst().get("status").asString()).isEqualTo("resolved");
            // and stays quiet while the script succeeds
            int succeeded = succeededCronRuns(http, token, failing);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> succeededCronRuns(http, token, failing) >= succeeded + 2);
            assertThat(receiver.received("/hook")).hasSize(2);
            assertThat(smtp.getReceivedMessages()).hasSize(2);

            // the meters of this platform's runs, cron ticks, builds and warm containers
            var metrics = java.net.http.HttpClient.newHttpClient()
                    .send(
                            java.net.http.HttpRequest.newBuilder(
                                            java.net.URI.create(platform.managementUrl() + "/actuator/prometheus"))
                                    .build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString())
                    .body();
            assertThat(metrics)
                    .contains("cronhook_runs_total{status=\"failed\",trigger=\"cron\"")
                    .contains("cronhook_runs_total{status=\"succeeded\",trigger=\"cron\"")
                    .contains("cronhook_run_duration_seconds_count")
                    .contains("cronhook_cron_lateness_seconds_count")
                    .contains("cronhook_builds_total{state=\"ready\"")
                    .contains("cronhook_executor_warm_containers")
                    .contains("cronhook_alerts_sent_total{channel=\"email\"");
            // every metric the Grafana dashboard in docs/ draws is one this platform serves
            var dashboard = java.nio.file.Files.readString(java.nio.file.Path.of("../docs/grafana-dashboard.json"));
            var names = new java.util.TreeSet<String>();
            var m = java.util.regex.Pattern.compile("cronhook_[a-z_]+").matcher(dashboard);
            while (m.find()) names.add(m.group());
            assertThat(names).hasSizeGreaterThan(10);
            for (var name : names)
                assertThat(metrics).as("the dashboard's " + name).contains(name);
        } finally {
            platform.close();
            receiver.close();
            smtp.stop();
        }
    }

    private static String create(Http http, String token, String name, String code, Map<String, Object> cron) {
        var body = new HashMap<String, Object>();
        body.put("name", name);
        body.put("code", code);
        body.put("cron", cron);
        var r = http.post("/api/scripts", json(body), token);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().get("id").asString();
    }

    private static Http.Response put(Http http, String token, String id, String code, Map<String, Object> cron) {
        var body = new HashMap<String, Object>();
        body.put("name", "nightly-report");
        body.put("code", code);
        body.put("cron", cron);
        return http.put("/api/scripts/" + id, json(body), token);
    }

    private static void awaitActive(Http http, String token, String id, int version) {
        await().atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofMillis(300))
                .until(() -> http.get("/api/scripts/" + id, token)
                                .json()
                                .path("activeVersion")
                                .asInt(0)
                        == version);
    }

    private static List<JsonNode> runs(Http http, String token, String id) {
        var r = http.get("/api/runs?limit=500&scriptId=" + id, token);
        return StreamSupport.stream(r.json().spliterator(), false).toList();
    }

    private static int failedCronRuns(Http http, String token, String id) {
        return (int) runs(http, token, id).stream()
                .filter(r -> r.get("trigger").asString().equals("cron")
                        && r.get("status").asString().equals("FAILED"))
                .count();
    }

    private static int succeededCronRuns(Http http, String token, String id) {
        return (int) runs(http, token, id).stream()
                .filter(r -> r.get("trigger").asString().equals("cron")
                        && r.get("status").asString().equals("SUCCEEDED"))
                .count();
    }
}
