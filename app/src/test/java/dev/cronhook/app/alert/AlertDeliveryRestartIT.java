package dev.cronhook.app.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cronhook.app.testing.AlertReceiver;
import dev.cronhook.app.testing.TestPlatform;
import dev.cronhook.core.run.RunStatus;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Durable delivery: an alert whose delivery is under way when the platform stops is delivered by the platform
 * started again on the same database, and both attempts show on the incident. And the check at delivery time: a
 * platform without the operator setting refuses to send to a private receiver saved under one that had it.
 */
class AlertDeliveryRestartIT {

    @Test
    void aRestartInTheMiddleOfADeliveryStillDeliversIt() throws Exception {
        var receiver = new AlertReceiver().hangingFirst(1);
        // restarted on the same data directory (its secret key seals the channels' secrets), with a short lease, so
        // the restarted platform takes the abandoned delivery over soon
        var home =
                java.nio.file.Files.createTempDirectory("cronhook-it-restart-").toString();
        var settings = Map.of(
                "cronhook.egress.allow-private", "127.0.0.1/32", "cronhook.alerts.lease", "3s", "cronhook.home", home);
        var first = TestPlatform.start("scheduler", settings);
        TestPlatform second = null;
        TestPlatform strict = null;
        try {
            var token = first.http.login("admin", TestPlatform.ADMIN_PASSWORD);
            Alerts.token = token;
            var id = Alerts.deployedScript(first, "restarted", null);
            var channel = Alerts.webhookChannel(first.http, receiver.url("/restart"), "restart-secret-0123456789", id);
            Alerts.report(first, Alerts.manualRun(first, id), RunStatus.FAILED);
            // the receiver holds the first attempt: the platform stops in the middle of it
            await().atMost(Duration.ofSeconds(15)).until(() -> receiver.hung() == 1);
            first.stop();
            receiver.release();

            second = TestPlatform.startSharing(first, "scheduler", settings);
            var token2 = second.http.login("admin", TestPlatform.ADMIN_PASSWORD);
            Alerts.token = token2;
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> receiver.received("/restart").size() == 1);
            var alert = Alerts.body(receiver.received("/restart").getFirst());
            assertThat(alert.get("event").asString()).isEqualTo("incident.opened");

            var incidentId = alert.get("incident").get("id").asString();
            var on2 = second;
            await().atMost(Duration.ofSeconds(10)).until(() -> "sent"
                    .equals(delivery(on2, token2, incidentId).get("status").asString()));
            var delivery = delivery(second, token2, incidentId);
            var attempts = delivery.get("attemptLog");
            assertThat(attempts).hasSize(2);
            assertThat(attempts.get(0).get("status").asString())
                    .as("the attempt the stop cut short")
                    .isEqualTo("sending");
            assertThat(attempts.get(1).get("status").asString()).isEqualTo("sent");
            assertThat(attempts.get(1).get("responseCode").asInt()).isEqualTo(200);
            // a channel for every script of the user, saved while the setting allows its private receiver
            Alerts.webhookChannel(second.http, receiver.url("/strict"), "strict-secret-0123456789", null);
            second.stop();

            // without CRONHOOK_EGRESS_ALLOW_PRIVATE the same receiver is refused: on save, and at delivery time
            strict = TestPlatform.startSharing(first, "scheduler", Map.of("cronhook.home", home));
            var token3 = strict.http.login("admin", TestPlatform.ADMIN_PASSWORD);
            Alerts.token = token3;
            var refused = strict.http.post(
                    "/api/alerts/channels",
                    dev.cronhook.app.testing.Http.json(Map.of(
                            "name",
                            "private",
                            "kind",
                            "webhook",
                            "url",
                            receiver.url("/strict"),
                            "secret",
                            "strict-secret-0123456789")),
                    token3);
            assertThat(refused.status()).isEqualTo(400);
            assertThat(refused.text()).contains("\"url\"").contains("private");

            var other = Alerts.deployedScript(strict, "strictly", null);
            Alerts.report(strict, Alerts.manualRun(strict, other), RunStatus.FAILED);
            var on3 = strict;
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> !Alerts.incidents(on3, other).isEmpty()
                            && "failed"
                                    .equals(delivery(
                                                    on3,
                                                    token3,
                                                    Alerts.incidents(on3, other)
                                                            .getFirst()
                                                            .get("id")
                                                            .asString())
                                            .path("status")
                                            .asString()));
            var refusedDelivery = delivery(
                    strict,
                    token3,
                    Alerts.incidents(strict, other).getFirst().get("id").asString());
            assertThat(refusedDelivery.get("attemptLog").get(0).get("error").asString())
                    .contains("private address");
            assertThat(receiver.received("/restart")).hasSize(1);
            assertThat(receiver.received("/strict")).isEmpty();
            assertThat(channel).isNotBlank();
        } finally {
            if (strict != null) strict.stop();
            if (second != null) second.stop();
            first.close();
            receiver.close();
        }
    }

    private static JsonNode delivery(TestPlatform on, String token, String incidentId) {
        var deliveries =
                on.http.get("/api/incidents/" + incidentId, token).json().get("deliveries");
        return deliveries.isEmpty() ? tools.jackson.databind.node.MissingNode.getInstance() : deliveries.get(0);
    }
}
