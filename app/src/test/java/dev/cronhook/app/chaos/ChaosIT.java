package dev.cronhook.app.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Issue 23's chaos test in its short form: a split deployment of eight processes on a PostgreSQL and a Redis of its
 * own, under webhook load and 20 cron schedules firing every second (what a 2-core CI machine carries;
 * {@code bench/chaos/run.sh} runs the 100: see bench/RESULTS-chaos.md), a random process killed with SIGKILL
 * every ten seconds for two minutes, Redis and PostgreSQL restarted once each; then, from the load generator's record
 * and the database: no accepted run is lost, none recorded twice, no tick fired twice, none missed without being
 * counted. Executions repeated by at-least-once delivery are reported. {@code bench/chaos/run.sh} runs it for ten
 * minutes ({@code -Dcronhook.chaos.duration=PT10M}); the report goes to {@code target/chaos-report.md}.
 */
class ChaosIT {

    @Test
    void nothingAcceptedIsLostNothingIsRecordedOrFiredTwiceAndEveryMissedTickIsCounted() throws Exception {
        var outcome = new ChaosRun(ChaosRun.Settings.fromSystemProperties()).run();
        var report = Path.of(System.getProperty("cronhook.chaos.report", "target/chaos-report.md"));
        Files.createDirectories(report.toAbsolutePath().getParent());
        Files.writeString(report, outcome.report());
        System.out.println(outcome.report());

        var counts = outcome.counts();
        assertThat(counts.accepted()).as("accepted webhook calls").isPositive();
        assertThat(counts.ticksWithRun()).as("ticks that got a run").isPositive();
        assertThat(counts.acceptedLostExamples()).as("accepted runs lost").isEmpty();
        assertThat(counts.acceptedLost()).as("accepted runs lost").isZero();
        assertThat(counts.recordedTwiceExamples()).as("runs recorded twice").isEmpty();
        assertThat(counts.cronRunsUnfinished()).as("cron runs that never ended").isZero();
        assertThat(counts.firedTwiceExamples()).as("ticks fired twice").isEmpty();
        assertThat(counts.ticksMissedUncounted())
                .as(String.join("\n", counts.uncountedExamples()))
                .isZero();
        assertThat(counts.pendingAtEnd()).as("ticks left pending").isZero();
    }
}
