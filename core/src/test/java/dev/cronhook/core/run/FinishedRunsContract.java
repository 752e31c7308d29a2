package dev.cronhook.core.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link FinishedRuns}, which every adapter's test extends: ends are published the way the adapter's
 * executors publish them ({@link #publish}).
 */
public abstract class FinishedRunsContract {
    protected abstract FinishedRuns board();

    /** Publishes a run's end as an executor does (through the ledger the board goes with). */
    protected abstract void publish(RunResult end);

    /** Gives the run a live log, as an executor does when the run prints. */
    protected abstract void logALine(UUID runId);

    protected static RunResult end(UUID runId, String resultJson) {
        return new RunResult(
                runId,
                RunStatus.SUCCEEDED,
                resultJson,
                null,
                null,
                Instant.parse("2026-12-06T10:00:00Z"),
                Instant.parse("2026-12-06T10:00:01Z"));
    }

    @Test
    void aRunNotPublishedHasNoEnd() {
        var run = UUID.randomUUID();
        assertThat(board().find(run)).isEmpty();
        assertThat(board().findAll(List.of(run))).isEmpty();
    }

    @Test
    void anEndIsFoundExactlyAsPublished() {
        var a = end(UUID.randomUUID(), "{\"z\":1,\"a\":[1, 2]}");
        var b = end(UUID.randomUUID(), "2");
        publish(a);
        publish(b);
        assertThat(board().find(a.runId())).contains(a);
        assertThat(board().findAll(List.of(a.runId(), b.runId(), UUID.randomUUID())))
                .isEqualTo(Map.of(a.runId(), a, b.runId(), b));
    }

    @Test
    void aWaitRegisteredBeforeTheEndEndsWithIt() {
        var end = end(UUID.randomUUID(), "\"done\"");
        var waiting = board().await(end.runId());
        assertThat(waiting).isNotDone();
        publish(end);
        await().atMost(Duration.ofSeconds(5)).until(waiting::isDone);
        // with the end, or without it when the announcement was too large to carry it: then it can be read
        var woken = waiting.join();
        assertThat(woken.or(() -> board().find(end.runId()))).contains(end);
    }

    @Test
    void anEndPublishedInThisProcessWakesItsWaiterAtOnceAndItsAnnouncementFindsNoneLater() {
        var end = end(UUID.randomUUID(), "{\"b\":2,\"a\":1}");
        var waiting = board().await(end.runId());

        board().publishedHere(end);

        assertThat(waiting).isCompletedWithValue(Optional.of(end));
        // the announcement of the same end arrives afterwards and wakes nobody, nor fails
        publish(end);
        assertThat(board().find(end.runId())).contains(end);
        board().publishedHere(end(UUID.randomUUID(), "1"));
    }

    @Test
    void aLargeEndWakesItsWaiterAndCanBeRead() {
        var end = end(UUID.randomUUID(), "\"" + "x".repeat(100 * 1024) + "\"");
        var waiting = board().await(end.runId());
        publish(end);
        await().atMost(Duration.ofSeconds(5)).until(waiting::isDone);
        assertThat(board().find(end.runId())).contains(end);
    }

    @Test
    void aForgottenWaitIsNotWokenAndAnotherRunsEndWakesNobody() throws InterruptedException {
        var forgottenRun = UUID.randomUUID();
        var forgotten = board().await(forgottenRun);
        var other = board().await(UUID.randomUUID());
        board().forget(forgottenRun);
        publish(end(forgottenRun, "1"));
        publish(end(UUID.randomUUID(), "2"));
        Thread.sleep(200);
        assertThat(forgotten).isNotDone();
        assertThat(other).isNotDone();
    }

    @Test
    void recordedRunsNameThoseWithALiveLog() {
        var quiet = end(UUID.randomUUID(), "1");
        var chatty = end(UUID.randomUUID(), "2");
        logALine(chatty.runId());
        publish(quiet);
        publish(chatty);
        var withLogs = board().recorded(List.of(quiet.runId(), chatty.runId()));
        assertThat(withLogs).contains(chatty.runId()).isSubsetOf(quiet.runId(), chatty.runId());
        board().logsKept(withLogs);
        // still readable a while after the database recorded it
        assertThat(board().find(quiet.runId())).contains(quiet);
        assertThat(Optional.of(board().recorded(List.of()))).contains(List.of());
    }
}
