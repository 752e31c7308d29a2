package dev.cronhook.core.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cronhook.core.run.RunLedger.Begin;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The contract of a {@link RunLedger}, which every adapter's test extends. The adapter under test leases a slot for
 * a run's timeout plus {@link #LEASE_SLACK}, and shows what it queued again and what it published.
 */
public abstract class RunLedgerContract {
    protected static final Duration LEASE_SLACK = Duration.ofMillis(200);

    protected abstract RunLedger ledger();

    protected abstract RunSignals signals();

    /** The runs the ledger has put back on the run queue, in order. */
    protected abstract List<UUID> requeued();

    /** What the ledger has published (RUNNING reports and final results), in order. */
    protected abstract List<RunResult> published();

    protected final UUID scriptId = UUID.randomUUID();

    protected RunRequest run(int maxConcurrency) {
        return new RunRequest(
                        UUID.randomUUID(),
                        scriptId,
                        1,
                        "image",
                        TriggerKind.WEBHOOK,
                        "{}",
                        1,
                        128,
                        1,
                        Instant.now(),
                        null,
                        0)
                .withMaxConcurrency(maxConcurrency);
    }

    static RunResult succeeded(RunRequest run) {
        return new RunResult(run.runId(), RunStatus.SUCCEEDED, "1", null, null, Instant.now(), Instant.now());
    }

    Begin begin(RunRequest run) {
        return ledger().begin(run, "0-1").join();
    }

    @Test
    void aNewRunStarts() {
        assertThat(begin(run(0))).isEqualTo(Begin.STARTED);
    }

    @Test
    void aRunFinishesOnceAndAFinishedRunDoesNotStartAgain() {
        var run = run(0);
        assertThat(begin(run)).isEqualTo(Begin.STARTED);
        assertThat(ledger().finish(run, succeeded(run)).join()).isTrue();
        assertThat(ledger().finish(run, succeeded(run)).join()).isFalse();
        assertThat(begin(run)).isEqualTo(Begin.FINISHED);
        assertThat(published())
                .filteredOn(r -> r.runId().equals(run.runId()))
                .extracting(RunResult::status)
                .containsExactly(RunStatus.SUCCEEDED);
    }

    @Test
    void aRunCancelledBeforeItStartsIsToldSo() {
        var run = run(0);
        signals().cancel(run.runId());
        assertThat(begin(run)).isEqualTo(Begin.CANCELLED);
    }

    @Test
    void aRunOverItsScriptsLimitWaitsAndIsQueuedAgainWhenASlotFrees() {
        var first = run(1);
        var second = run(1);
        var third = run(1);
        assertThat(begin(first)).isEqualTo(Begin.STARTED);
        assertThat(begin(second)).isEqualTo(Begin.WAITING);
        assertThat(begin(third)).isEqualTo(Begin.WAITING);
        assertThat(requeued()).isEmpty();

        ledger().finish(first, succeeded(first)).join();
        // in order, and one at a time: the slot is reserved for the one queued again
        assertThat(requeued()).containsExactly(second.runId());
        assertThat(begin(second)).isEqualTo(Begin.STARTED);
        ledger().finish(second, succeeded(second)).join();
        assertThat(requeued()).containsExactly(second.runId(), third.runId());
    }

    @Test
    void aRunDeliveredAgainWhileItHoldsItsSlotStartsAgainAndTakesNoOther() {
        var run = run(1);
        assertThat(begin(run)).isEqualTo(Begin.STARTED);
        assertThat(begin(run)).isEqualTo(Begin.STARTED);
        assertThat(begin(run(1))).isEqualTo(Begin.WAITING);
    }

    @Test
    void theSlotOfARunWhoseExecutorDiedFreesWhenItsLeaseExpires() {
        var abandoned = run(1);
        var waiting = run(1);
        assertThat(begin(abandoned)).isEqualTo(Begin.STARTED);
        assertThat(begin(waiting)).isEqualTo(Begin.WAITING);
        assertThat(ledger().sweep()).isEqualTo(1);
        // the lease is the run's timeout (1 s) and the slack
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    ledger().sweep();
                    return requeued().contains(waiting.runId());
                });
        assertThat(ledger().sweep()).isZero();
    }

    @Test
    void aRunningReportIsPublished() {
        var run = run(0);
        var started = Instant.now();
        ledger().running(run.runId(), started);
        await().atMost(Duration.ofSeconds(5)).until(() -> published().stream()
                .anyMatch(r -> r.runId().equals(run.runId()) && r.status() == RunStatus.RUNNING));
    }
}
