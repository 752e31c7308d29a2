package dev.cronhook.api.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cronhook.core.validation.InvalidInputException;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class AlertRulesTest {
    private static AlertRules.Request empty() {
        return new AlertRules.Request(null, null, null, null, null, null, null, null, null, null);
    }

    @Test
    void omittedFieldsTakeTheDefaults() {
        assertThat(AlertRules.validate(empty())).isEqualTo(AlertRules.DEFAULTS);
    }

    @Test
    void aFailureAlertsAndAnOverlapSkipDoesNotByDefault() {
        var rules = AlertRules.DEFAULTS;
        assertThat(rules.alertsOn(Signal.RUN_FAILED)).isTrue();
        assertThat(rules.alertsOn(Signal.BUILD_FAILED)).isTrue();
        assertThat(rules.alertsOn(Signal.OVERLAP_SKIPPED)).isFalse();
        assertThat(rules.consecutiveFailures()).isEqualTo(1);
        assertThat(rules.pauseAfterConsecutiveFailures()).isNull();
    }

    @Test
    void outOfRangeNumbersAreRefusedNamingTheField() {
        var bad = new AlertRules.Request(null, 0, null, null, -1, null, null, null, 1001, List.of());
        assertThatThrownBy(() -> AlertRules.validate(bad))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.violations())
                        .extracting(v -> v.field())
                        .containsExactlyInAnyOrder(
                                "consecutiveFailures", "lateTickSeconds", "pauseAfterConsecutiveFailures"));
    }

    @Test
    void aLateTickToleranceOfZeroMeansNever() {
        var r = new AlertRules.Request(null, null, null, null, 0, null, null, null, null, null);
        var rules = AlertRules.validate(r);
        assertThat(rules.lateTickSeconds()).isNull();
        assertThat(rules.alertsOn(Signal.TICK_LATE)).isFalse();
    }

    @Test
    void channelsAreKeptOnceEach() {
        var id = UUID.randomUUID();
        var r = new AlertRules.Request(null, null, null, null, null, null, null, null, 3, List.of(id, id));
        var rules = AlertRules.validate(r);
        assertThat(rules.channels()).containsExactly(id);
        assertThat(rules.pauseAfterConsecutiveFailures()).isEqualTo(3);
    }
}
