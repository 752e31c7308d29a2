package dev.cronhook.core.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The contract of {@link Admission}, which every adapter's test extends. */
public abstract class AdmissionContract {
    protected abstract Admission admission();

    @Test
    void callsOfAScriptAddUpWithinTheirSecondAndApartFromOtherSecondsAndScripts() {
        var script = UUID.randomUUID();
        var other = UUID.randomUUID();
        long second = System.currentTimeMillis() / 1000;
        assertThat(admission()
                        .count(List.of(
                                new Admission.Calls(script, second, 3),
                                new Admission.Calls(other, second, 1),
                                new Admission.Calls(script, second, 2))))
                .containsExactly(3L, 1L, 5L);
        assertThat(admission().count(List.of(new Admission.Calls(script, second, 1))))
                .containsExactly(6L);
        assertThat(admission().count(List.of(new Admission.Calls(script, second + 1, 1))))
                .containsExactly(1L);
        assertThat(admission().count(List.of())).isEmpty();
    }

    @Test
    void anIdempotencyKeyIsClaimedOnceAndNamesItsRunUntilItsWindowEnds() {
        var script = UUID.randomUUID();
        var first = UUID.randomUUID();
        var second = UUID.randomUUID();
        assertThat(admission().claim(script, "order-1", first, Duration.ofSeconds(1)))
                .isEmpty();
        assertThat(admission().claim(script, "order-1", second, Duration.ofSeconds(1)))
                .contains(first);
        assertThat(admission().claim(script, "order-2", second, Duration.ofSeconds(1)))
                .isEmpty();
        assertThat(admission().claim(UUID.randomUUID(), "order-1", second, Duration.ofSeconds(1)))
                .isEmpty();
        await().atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> admission()
                        .claim(script, "order-1", second, Duration.ofSeconds(1))
                        .isEmpty());
        assertThat(admission().claim(script, "order-1", UUID.randomUUID(), Duration.ofSeconds(1)))
                .contains(second);
    }
}
