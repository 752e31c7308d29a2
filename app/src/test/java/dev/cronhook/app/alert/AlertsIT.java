package dev.cronhook.app.alert;

import static dev.cronhook.app.testing.Http.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.cronhook.app.testing.AlertReceiver;
import dev.cronhook.app.testing.Http;
import dev.cronhook.app.testing.TestPlatform;
import dev.cronhook.core.run.RunStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Incidents, channels and their deliveries against the real application, PostgreSQL, Redis, a real HTTP receiver
 * on 127.0.0.1 and a real SMTP server (GreenMail). No executor runs: the tests report run ends on the results
 * stream as an executor would (the alerts of a real failing script are in {@link AlertsOnRealPlatformIT}).
 */
class AlertsIT {
    static TestPlatform platform;
    static Http http;
    static String token;
    static AlertReceiver receiver;
    static GreenMail smtp;

    @BeforeAll
    static void start() {
        receiver = new AlertReceiver();
        smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
        smtp.start();
        // the receivers are on 127.0.0.1: the operator setting that lets alerts reach them
        platform = TestPlatform.start("scheduler", Map.of("cronhook.egress.allow-private", "127.0.0.1/32"));
        http = platform.http;
        token = http.login("admin", TestPlatform.ADMIN_PASSWORD);
        Alerts.token = token;
    }

    @AfterAll
    static void stop() {
        if (platform != null) platform.close();
        if (receiver != null) receiver.close();
        if (smtp != null) smtp.stop();
    }

    @Test
    void aBurstOfFailuresIsOneSignedAlertAndTheFirstSuccessIsOneRecovery() throws Exception {
        var id = Alerts.deployedScript(platform, "bursty", null);
        String secret = "receiver-checks-this-secret";
        var channel = Alerts.webhookChannel(http, receiver.url("/burst"), secret, id);

        var runs = new ArrayList<UUID>();
        for (int i = 0; i < 40; i++) runs.add(Alerts.manualRun(platform, id));
        Alerts.report(platform, runs, RunStatus.FAILED);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> !Alerts.incidents(platform, id).isEmpty()
                        && Alerts.incidents(platform, id)
                                        .getFirst()
                                        .get("failures")
                                        .asInt()
                                == 40);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> receiver.received("/burst").size() == 1);
        // a moment more changes nothing: one alert per incident
        var more = Alerts.manualRun(platform, id);
        Alerts.report(platform, more, RunStatus.FAILED);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> Alerts.incidents(platform, id)
                                .getFirst()
                                .get("failures")
                                .asInt()
                        == 41);
        assertThat(receiver.received("/burst")).hasSize(1);

        var opened = receiver.received("/burst").getFirst();
        var alert = Alerts.body(opened);
        assertThat(alert.get("event").asString()).isEqualTo("incident.opened");
        assertThat(alert.get("script").get("id").asString()).isEqualTo(id);
        assertThat(alert.get("text").asString()).contains("bursty").contains("is failing");
        String timestamp = opened.header("X-Cronhook-Timestamp");
        assertThat(Math.abs(Instant.now().getEpochSecond() - Long.parseLong(timestamp)))
                .isLessThan(300);
        assertThat(opened.header("X-Cronhook-Signature"))
                .isEqualTo(Alerts.expectedSignature(secret, timestamp, opened.body()));
        assertThat(opened.header("X-Cronhook-Signature"))
                .isNotEqualTo(Alerts.expectedSignature("another-secret-entirely", timestamp, opened.body()));

        var success = Alerts.manualRun(platform, id);
        Alerts.report(platform, success, RunStatus.SUCCEEDED);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> receiver.received("/burst").size() == 2);
        var recovered = Alerts.body(receiver.received("/burst").get(1));
        assertThat(recovered.get("event").asString()).isEqualTo("incident.recovered");
        assertThat(recovered.get("incident").get("id").asString())
                .isEqualTo(alert.get("incident").get("id").asString());

        // the incident: resolved by the recovery, with its runs and its deliveries' attempts
        var incidentId = alert.get("incident").get("id").asString();
        var incident = http.get("/api/incidents/" + incidentId, token).json();
        assertThat(incident.get("status").asString()).isEqualTo("resolved");
        assertThat(incident.get("resolvedBy").asString()).isEqualTo("recovery");
        assertThat(incident.get("runs")).hasSize(41);
        assertThat(incident.get("deliveries")).hasSize(2);
        for (var d : incident.get("deliveries")) {
            assertThat(d.get("status").asString()).isEqualTo("sent");
            assertThat(d.get("attemptLog").get(0).get("status").asString()).isEqualTo("sent");
            assertThat(d.get("attemptLog").get(0).get("responseCode").asInt()).isEqualTo(200);
        }

        // the next failure is a new incident, alerted again
        Alerts.report(platform, Alerts.manualRun(platform, id), RunStatus.TIMED_OUT);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> receiver.received("/burst").size() == 3);
        var second = Alerts.body(receiver.received("/burst").get(2));
        assertThat(second.get("signal").asString()).isEqualTo("RUN_TIMED_OUT");
        var secondId = second.get("incident").get("id").asString();
        assertThat(secondId).isNotEqualTo(incidentId);

        var acked = http.post("/api/incidents/" + secondId + "/acknowledge", "", token);
        assertThat(acked.status()).isEqualTo(200);
        assertThat(acked.json().get("status").asString()).isEqualTo("acknowledged");
        var resolved = http.post("/api/incidents/" + secondId + "/resolve", "", token);
        assertThat(resolved.json().get("status").asString()).isEqualTo("resolved");
        assertThat(resolved.json().get("resolvedBy").asString()).isEqualTo("user");
        assertThat(http.delete("/api/alerts/channels/" + channel, token).status())
                .isEqualTo(204);
        // a deleted channel leaves its alerts on the incident
        var kept = http.get("/api/incidents/" + incidentId, token).json().get("deliveries");
        assertThat(kept).hasSize(2);
        assertThat(kept.get(0).get("status").asString()).isEqualTo("sent");
        http.delete("/api/scripts/" + id, token);
    }

    @Test
    void slackFormatAndEmailChannelsReceiveTheAlert() throws Exception {
        var id = Alerts.deployedScript(platform, "mailed", null);
        var slack = Alerts.channel(
                http,
                Map.of("name", "team chat", "kind", "slack", "url", receiver.url("/services/T0/B0/xyz"), "script", id));
        var email = Alerts.channel(
                http,
                Map.of(
                        "name",
                        "on-call mail",
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
                        id));

        Alerts.report(platform, Alerts.manualRun(platform, id), RunStatus.FAILED);
        await().atMost(Duration.ofSeconds(15))
                .until(() -> receiver.received("/services/T0/B0/xyz").size() == 1);
        var slackBody = Alerts.body(receiver.received("/services/T0/B0/xyz").getFirst());
        assertThat(slackBody.get("text").asString()).contains("mailed").contains("is failing");
        assertThat(slackBody.propertyNames()).containsExactly("text");

        assertThat(smtp.waitForIncomingEmail(15_000, 1)).isTrue();
        var message = smtp.getReceivedMessages()[0];
        assertThat(message.getSubject()).contains("[Cronhook]").contains("mailed");
        assertThat(message.getAllRecipients()[0].toString()).isEqualTo("oncall@example.test");
        assertThat(String.valueOf(message.getContent())).contains("incident.opened");

        // a test alert from the channel, and its delivery
        var test = http.post("/api/alerts/channels/" + slack + "/test", "", token);
        assertThat(test.status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> receiver.received("/services/T0/B0/xyz").size() == 2);
        assertThat(Alerts.body(receiver.received("/services/T0/B0/xyz").get(1))
                        .get("text")
                        .asString())
                .contains("test alert");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> http.get(test.json().get("url").asString(), token)
                        .json()
                        .get("status")
                        .asString()
                        .equals("sent"));
        http.delete("/api/alerts/channels/" + slack, token);
        http.delete("/api/alerts/channels/" + email, token);
        http.delete("/api/scripts/" + id, token);
    }

    @Test
    void aHandlerScriptIsRunWithTheAlertAsItsEvent() {
        var failing = Alerts.deployedScript(platform, "handled", null);
        var handler = Alerts.deployedScript(platform, "error-handler", null);
        var channel = Alerts.channel(
                http, Map.of("name", "run the handler", "kind", "script", "runScript", handler, "script", failing));
        Alerts.report(platform, Alerts.manualRun(platform, failing), RunStatus.FAILED);
        var runs = Alerts.awaitRuns(platform, handler, r -> !r.isEmpty());
        assertThat(runs).hasSize(1);
        var event = runs.getFirst().get("event");
        assertThat(event.get("alert").get("event").asString()).isEqualTo("incident.opened");
        assertThat(event.get("alert").get("script").get("id").asString()).isEqualTo(failing);
        http.delete("/api/alerts/channels/" + channel, token);
        http.delete("/api/scripts/" + failing, token);
        http.delete("/api/scripts/" + handler, token);
    }

    @Test
    void onlyTheFailureAfterTheLastRetryCounts() {
        var body = new java.util.HashMap<String, Object>();
        body.put("name", "retried");
        body.put("code", "export default async function (event) { return event; }");
        body.put("retry", Map.of("maxAttempts", 2, "initialDelaySeconds", 1, "factor", 1.0));
        var created = http.post("/api/scripts", json(body), token);
        var id = created.json().get("id").asString();
        platform.deploy(UUID.fromString(id), 1, token);
        var hookPath = URI.create(created.json().get("webhookUrl").asString()).getPath();
        var channel = Alerts.webhookChannel(http, receiver.url("/retried"), "retried-secret-0123456789", id);

        var call = http.send("POST", hookPath + "?async=true", "application/json", "{}", null);
        assertThat(call.status()).isEqualTo(202);
        var first = UUID.fromString(call.header("X-Cronhook-Run-Id"));
        Alerts.report(platform, first, RunStatus.FAILED);
        // the retry comes (its attempt 2); until it fails, nothing is an incident
        var retry = Alerts.awaitRuns(platform, id, r -> r.size() == 2).stream()
                .filter(r -> r.get("attempt").asInt() == 2)
                .findFirst()
                .orElseThrow();
        assertThat(Alerts.incidents(platform, id)).isEmpty();
        assertThat(receiver.received("/retried")).isEmpty();
        Alerts.report(platform, UUID.fromString(retry.get("id").asString()), RunStatus.FAILED);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> receiver.received("/retried").size() == 1);
        assertThat(Alerts.incidents(platform, id).getFirst().get("failures").asInt())
                .isEqualTo(1);
        http.delete("/api/alerts/channels/" + channel, token);
        http.delete("/api/scripts/" + id, token);
    }

    @Test
    void anOverlapSkipAlertsWhenItsRuleIsOn() {
        var id = Alerts.deployedScript(platform, "overlapping", Map.of("expression", "* * * * * *", "timezone", "UTC"));
        var channel = Alerts.webhookChannel(http, receiver.url("/overlap"), "overlap-secret-0123456789", id);
        var rules = http.put("/api/scripts/" + id + "/alerts", json(Map.of("overlapSkip", true)), token);
        assertThat(rules.status()).isEqualTo(200);
        // no executor: the first cron run stays queued, so the next ticks are skipped
        await().atMost(Duration.ofSeconds(20))
                .until(() -> receiver.received("/overlap").size() == 1);
        var alert = Alerts.body(receiver.received("/overlap").getFirst());
        assertThat(alert.get("signal").asString()).isEqualTo("OVERLAP_SKIPPED");
        http.put(
                "/api/scripts/" + id,
                json(Map.of("name", "overlapping", "code", "export default async () => 1;")),
                token);
        http.delete("/api/alerts/channels/" + channel, token);
        http.delete("/api/scripts/" + id, token);
    }

    @Test
    void channelsAreValidatedAndTheirSecretsAreNeverShown() {
        var bad = http.post("/api/alerts/channels", json(Map.of("name", "x", "kind", "pager")), token);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.text()).contains("kind");
        var noUrl = http.post(
                "/api/alerts/channels", json(Map.of("name", "x", "kind", "webhook", "secret", "s".repeat(20))), token);
        assertThat(noUrl.status()).isEqualTo(400);
        assertThat(noUrl.text()).contains("\"url\"");
        var ftp = http.post(
                "/api/alerts/channels",
                json(Map.of("name", "x", "kind", "webhook", "url", "ftp://example.com/", "secret", "s".repeat(20))),
                token);
        assertThat(ftp.status()).isEqualTo(400);
        var metadata = http.post(
                "/api/alerts/channels",
                json(Map.of("name", "x", "kind", "slack", "url", "http://169.254.169.254/latest/meta-data")),
                token);
        assertThat(metadata.status())
                .as("a private address the operator did not allow")
                .isEqualTo(400);
        assertThat(metadata.text()).contains("\"url\"").contains("private");
        var mail = http.post(
                "/api/alerts/channels",
                json(Map.of("name", "x", "kind", "email", "host", "smtp.example.com", "from", "not an address")),
                token);
        assertThat(mail.status()).isEqualTo(400);
        assertThat(mail.text()).contains("\"from\"").contains("\"to\"");
        assertThat(http.post(
                                "/api/alerts/channels",
                                json(Map.of("name", "x", "kind", "script", "runScript", UUID.randomUUID())),
                                token)
                        .status())
                .isEqualTo(400);
        assertThat(http.post("/api/alerts/channels", "{\"name\": 3, \"kind\": [", token)
                        .status())
                .isEqualTo(400);
        assertThat(http.get("/api/alerts/channels/" + UUID.randomUUID(), token).status())
                .isEqualTo(404);
        assertThat(http.put("/api/scripts/" + UUID.randomUUID() + "/alerts", "{}", token)
                        .status())
                .isEqualTo(404);
        var id = Alerts.deployedScript(platform, "ruled", null);
        var rules = http.put("/api/scripts/" + id + "/alerts", json(Map.of("consecutiveFailures", 0)), token);
        assertThat(rules.status()).isEqualTo(400);
        assertThat(rules.text()).contains("consecutiveFailures");
        assertThat(http.get("/api/incidents?status=sideways", token).status()).isEqualTo(400);

        String signing = "signing-secret-" + UUID.randomUUID();
        String slackUrl = receiver.url("/services/secret-path-" + UUID.randomUUID());
        var hook = Alerts.webhookChannel(http, receiver.url("/x"), signing, null);
        var slack = Alerts.channel(http, Map.of("name", "s", "kind", "slack", "url", slackUrl));
        var mailWithPassword = Alerts.channel(
                http,
                Map.of(
                        "name", "m",
                        "kind", "email",
                        "host", "127.0.0.1",
                        "port", 2525,
                        "username", "alerts",
                        "password", "smtp-password-" + signing,
                        "from", "a@example.test",
                        "to", List.of("b@example.test")));
        for (var path : List.of(
                "/api/alerts/channels",
                "/api/alerts/channels/" + hook,
                "/api/alerts/channels/" + slack,
                "/api/alerts/channels/" + mailWithPassword)) {
            var text = http.get(path, token).text();
            assertThat(text).doesNotContain(signing).doesNotContain(slackUrl).doesNotContain("secret-path");
        }
        assertThat(http.get("/api/alerts/channels/" + hook, token)
                        .json()
                        .get("hasSecret")
                        .asBoolean())
                .isTrue();
        // a PUT without the secret keeps it
        var renamed = http.put(
                "/api/alerts/channels/" + hook,
                json(Map.of("name", "renamed", "kind", "webhook", "url", receiver.url("/x"))),
                token);
        assertThat(renamed.status()).as(renamed.toString()).isEqualTo(200);
        assertThat(renamed.json().get("hasSecret").asBoolean()).isTrue();
        for (var c : List.of(hook, slack, mailWithPassword)) http.delete("/api/alerts/channels/" + c, token);
        http.delete("/api/scripts/" + id, token);
    }

    @Test
    void noInputToTheAlertEndpointsMakesA5xx() {
        var id = Alerts.deployedScript(platform, "hostile", null);
        var channel = Alerts.webhookChannel(http, receiver.url("/hostile"), "hostile-secret-0123456789", id);
        var bodies = List.of(
                "",
                "{",
                "[]",
                "null",
                "\"text\"",
                "{\"name\": 1e999, \"kind\": {}}",
                "{\"name\": \"a\\u0000b\", \"kind\": \"webhook\", \"url\": \"http://x\\u0000y/\"}",
                "{\"name\": \"x\", \"kind\": \"email\", \"port\": 99999999999999999999, \"to\": \"notalist\"}",
                "{\"name\": \"x\", \"kind\": \"script\", \"runScript\": \"not-a-uuid\"}",
                "{\"name\": \"x\", \"kind\": \"webhook\", \"url\": \"http://[::1\", \"secret\": \"s\"}",
                "{\"consecutiveFailures\": \"many\", \"channels\": [\"x\"]}",
                "{\"consecutiveFailures\": 99999999999, \"lateTickSeconds\": -1, \"channels\": [null]}");
        var targets = List.of(
                new String[] {"POST", "/api/alerts/channels"},
                new String[] {"PUT", "/api/alerts/channels/" + channel},
                new String[] {"PUT", "/api/scripts/" + id + "/alerts"});
        for (var target : targets) {
            for (var body : bodies) {
                for (var type : java.util.Arrays.asList("application/json", "text/plain", null)) {
                    var r = http.send(target[0], target[1], type, body, token);
                    assertThat(r.status())
                            .as(target[0] + " " + target[1] + " " + type + " " + body + " -> " + r)
                            .isBetween(400, 499);
                }
            }
        }
        for (var path : List.of(
                "/api/incidents/not-a-uuid",
                "/api/incidents?limit=0",
                "/api/incidents?limit=99999999999999",
                "/api/incidents?scriptId=nope",
                "/api/alerts/deliveries/" + UUID.randomUUID(),
                "/api/alerts/channels/%00")) {
            var r = http.get(path, token);
            assertThat(r.status()).as(path + " -> " + r).isBetween(400, 499);
        }
        for (var path : List.of(
                "/api/incidents/" + UUID.randomUUID() + "/acknowledge",
                "/api/incidents/" + UUID.randomUUID() + "/resolve",
                "/api/alerts/channels/" + UUID.randomUUID() + "/test")) {
            assertThat(http.post(path, "", token).status()).as(path).isEqualTo(404);
        }
        assertThat(http.get("/api/alerts/channels", null).status()).isEqualTo(401);
        http.delete("/api/alerts/channels/" + channel, token);
        http.delete("/api/scripts/" + id, token);
    }

    @Test
    void theMetricsMoveAsRunsEndAndAlertsAreSent() throws Exception {
        double runsBefore = metric("cronhook_runs_total", "status=\"failed\"", "trigger=\"manual\"");
        double sentBefore = metric("cronhook_alerts_sent_total", "channel=\"webhook\"");
        double readyBefore = metric("cronhook_builds_total", "state=\"ready\"");
        double queuedBefore = metric("cronhook_queue_depth", "stream=\"runs\"");
        var id = Alerts.deployedScript(platform, "measured", null);
        assertThat(metric("cronhook_builds_total", "state=\"ready\"")).isGreaterThanOrEqualTo(readyBefore + 1);
        assertThat(prometheus()).contains("cronhook_build_duration_seconds_count{state=\"ready\"");
        var channel = Alerts.webhookChannel(http, receiver.url("/metrics"), "metrics-secret-0123456789", id);
        Alerts.report(
                platform, List.of(Alerts.manualRun(platform, id), Alerts.manualRun(platform, id)), RunStatus.FAILED);
        await().atMost(Duration.ofSeconds(15))
                .until(() ->
                        metric("cronhook_runs_total", "status=\"failed\"", "trigger=\"manual\"") >= runsBefore + 2);
        await().atMost(Duration.ofSeconds(15))
                .until(() -> metric("cronhook_alerts_sent_total", "channel=\"webhook\"") >= sentBefore + 1);
        var text = prometheus();
        assertThat(text).contains("cronhook_run_duration_seconds_count");
        assertThat(text).contains("cronhook_alerts_pending");
        http.delete("/api/alerts/channels/" + channel, token);
        http.delete("/api/scripts/" + id, token);
    }

    static String prometheus() throws Exception {
        var response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(platform.managementUrl() + "/actuator/prometheus"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    /** The sum of a metric's samples whose labels include all of {@code labels}. */
    static double metric(String name, String... labels) throws Exception {
        double sum = 0;
        var line = Pattern.compile("^" + name + "\\{([^}]*)\\} ([0-9.eE+-]+)$");
        for (var l : prometheus().split("\n")) {
            var m = line.matcher(l);
            if (!m.matches()) continue;
            boolean all = true;
            for (var label : labels) all &= m.group(1).contains(label);
            if (all) sum += Double.parseDouble(m.group(2));
        }
        return sum;
    }
}
