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
                                new Admission.Calls(script, second, 2)))
                        .join())
                .containsExactly(3L, 1L, 5L);
        assertThat(admission()
                        .count(List.of(new Admission.Calls(script, second, 1)))
                        .join())
                .containsExactly(6L);
        assertThat(admission()
                        .count(List.of(new Admission.Calls(script, second + 1, 1)))
                        .join())
                .containsExactly(1L);
        assertThat(admission().count(List.of()).join()).isEmpty();
    }

    @Test
    void anIdempotencyKeyNamesTheRunOfTheCallThatClaimedItOnceItIsAcceptedUntilItsWindowEnds() {
        var script = UUID.randomUUID();
        var first = UUID.randomUUID();
        var second = UUID.randomUUID();
        var pending = Duration.ofSeconds(30);
        assertThat(admission().claim(script, "order-1", first, pending)).isEqualTo(new Admission.Claim.Claimed());
        // while the first call is being accepted, a repeat learns nothing it could answer with
        assertThat(admission().claim(script, "order-1", second, pending)).isEqualTo(new Admission.Claim.Pending());
        admission().confirm(script, "order-1", first, Duration.ofSeconds(1));
        assertThat(admission().claim(script, "order-1", second, pending)).isEqualTo(new Admission.Claim.Held(first));
        assertThat(admission().claim(script, "order-2", second, pending)).isEqualTo(new Admission.Claim.Claimed());
        assertThat(admission().claim(UUID.randomUUID(), "order-1", second, pending))
                .isEqualTo(new Admission.Claim.Claimed());
        await().atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> admission().claim(script, "order-1", second, pending) instanceof Admission.Claim.Claimed);
    }

    @Test
    void aKeyWhoseCallWasRefusedIsFreeForTheRetryAndAnotherCallsReleaseChangesNothing() {
        var script = UUID.randomUUID();
        var refused = UUID.randomUUID();
        var retry = UUID.randomUUID();
        var pending = Duration.ofSeconds(30);
        assertThat(admission().claim(script, "k", refused, pending)).isEqualTo(new Admission.Claim.Claimed());
        admission().release(script, "k", refused);
        assertThat(admission().claim(script, "k", retry, pending)).isEqualTo(new Admission.Claim.Claimed());
        // a late release or confirm of the refused call leaves the retry's claim alone
        admission().release(script, "k", refused);
        admission().confirm(script, "k", refused, Duration.ofMinutes(1));
        assertThat(admission().claim(script, "k", UUID.randomUUID(), pending)).isEqualTo(new Admission.Claim.Pending());
        admission().confirm(script, "k", retry, Duration.ofMinutes(1));
        assertThat(admission().claim(script, "k", UUID.randomUUID(), pending))
                .isEqualTo(new Admission.Claim.Held(retry));
    }

    @Test
    void aPendingClaimRunsOutByItself() {
        var script = UUID.randomUUID();
        assertThat(admission().claim(script, "k", UUID.randomUUID(), Duration.ofMillis(300)))
                .isEqualTo(new Admission.Claim.Claimed());
        await().atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> admission().claim(script, "k", UUID.randomUUID(), Duration.ofSeconds(30))
                        instanceof Admission.Claim.Claimed);
    }
}
