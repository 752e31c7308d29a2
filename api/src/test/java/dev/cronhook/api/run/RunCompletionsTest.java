package dev.cronhook.api.run;

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

class RunCompletionsTest {
    private final RunCompletions completions = new RunCompletions(null);

    @Test
    void anAnnouncedResultWakesItsWaiterWithTheResult() {
        var runId = UUID.randomUUID();
        var ended = completions.register(runId);
        var result = new RunResult(
                runId,
                RunStatus.SUCCEEDED,
                null,
                new HttpReply(201, Map.of("x-a", List.of("1")), "made", false),
                null,
                Instant.parse("2026-12-02T10:00:00Z"),
                Instant.parse("2026-12-02T10:00:01Z"));

        completions.wake(Wire.json().writeValueAsString(result));

        assertThat(ended.block(Duration.ofSeconds(1))).contains(result);
    }

    @Test
    void anAnnouncementByIdWakesItsWaiterWithoutAResult() {
        var runId = UUID.randomUUID();
        var ended = completions.register(runId);

        completions.wake(runId.toString());

        assertThat(ended.block(Duration.ofSeconds(1))).isEqualTo(Optional.empty());
    }

    @Test
    void anAnnouncementOfAnotherRunWakesNobody() {
        var ended = completions.register(UUID.randomUUID());
        var other = new RunResult(UUID.randomUUID(), RunStatus.FAILED, null, null, "boom", null, Instant.now());

        completions.wake(Wire.json().writeValueAsString(other));
        completions.wake(UUID.randomUUID().toString());
        completions.wake("not an announcement");

        assertThat(ended.timeout(Duration.ofMillis(200))
                        .onErrorReturn(Optional.of(other))
                        .block())
                .as("still waiting")
                .contains(other);
    }
}
