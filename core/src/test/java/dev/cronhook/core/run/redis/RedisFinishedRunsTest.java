package dev.cronhook.core.run.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cronhook.core.run.HttpReply;
import dev.cronhook.core.run.RunResult;
import dev.cronhook.core.run.RunStatus;
import dev.cronhook.core.wire.Wire;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** How the Redis board reads the announcements of ends (no Redis: the messages are given to it). */
class RedisFinishedRunsTest {
    private final RedisFinishedRuns board =
            new RedisFinishedRuns(null, null, Duration.ofMinutes(5), Duration.ofMinutes(1));

    @Test
    void anAnnouncedResultWakesItsWaiterWithTheResult() {
        var runId = UUID.randomUUID();
        var ended = board.await(runId);
        var result = new RunResult(
                runId,
                RunStatus.SUCCEEDED,
                null,
                new HttpReply(201, Map.of("x-a", List.of("1")), "made", false),
                null,
                Instant.parse("2026-12-02T10:00:00Z"),
                Instant.parse("2026-12-02T10:00:01Z"));

        board.wake(Wire.json().writeValueAsString(result));

        assertThat(ended).isCompletedWithValue(Optional.of(result));
    }

    @Test
    void anAnnouncementByIdWakesItsWaiterWithoutAResult() {
        var runId = UUID.randomUUID();
        var ended = board.await(runId);

        board.wake(runId.toString());

        assertThat(ended).isCompletedWithValue(Optional.empty());
    }

    @Test
    void anAnnouncementOfAnotherRunWakesNobody() {
        var ended = board.await(UUID.randomUUID());
        var other = new RunResult(UUID.randomUUID(), RunStatus.FAILED, null, null, "boom", null, Instant.now());

        board.wake(Wire.json().writeValueAsString(other));
        board.wake(UUID.randomUUID().toString());
        board.wake("not an announcement");

        assertThat(ended).isNotDone();
    }
}
