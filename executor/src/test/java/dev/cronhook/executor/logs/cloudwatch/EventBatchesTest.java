package dev.cronhook.executor.logs.cloudwatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.cloudwatchlogs.model.InputLogEvent;

/** How {@link EventBatches} cuts events into batches within PutLogEvents' limits. */
class EventBatchesTest {

    @Test
    void aBatchHoldsAtMostTenThousandEvents() {
        var batches = EventBatches.split(events(25_000, 0, 10));

        assertThat(batches).extracting(List::size).containsExactly(10_000, 10_000, 5_000);
    }

    @Test
    void aBatchHoldsAtMostOneMebibyteCountingTwentySixBytesPerEvent() {
        // 1,048,576 / (974 + 26) = 1048.6: 1048 events fit, the 1049th does not
        var batches = EventBatches.split(events(2_000, 0, 974));

        assertThat(batches).extracting(List::size).containsExactly(1_048, 952);
    }

    @Test
    void aBatchSpansLessThanADay() {
        long day = 24L * 3600 * 1000;
        var events = List.of(event(0, "a"), event(day - 1, "b"), event(day, "c"), event(3 * day, "d"));

        assertThat(EventBatches.split(events))
                .extracting(batch -> batch.stream().map(InputLogEvent::message).toList())
                .containsExactly(List.of("a", "b"), List.of("c"), List.of("d"));
    }

    @Test
    void noEventsMakeNoBatch() {
        assertThat(EventBatches.split(List.of())).isEmpty();
    }

    @Test
    void utf8LengthCountsLikeTheEncoder() {
        for (String text : List.of("", "ascii", "\u00e9t\u00e9", "\u6f22\u5b57", "\ud83d\ude80 rocket", "a\ud800b")) {
            assertThat(EventBatches.utf8Length(text))
                    .as(text)
                    .isGreaterThanOrEqualTo(text.getBytes(StandardCharsets.UTF_8).length);
        }
        assertThat(EventBatches.utf8Length("\u00e9\u6f22\ud83d\ude80")).isEqualTo(2 + 3 + 4);
    }

    private static List<InputLogEvent> events(int count, long timestamp, int messageBytes) {
        var events = new ArrayList<InputLogEvent>(count);
        for (int i = 0; i < count; i++) {
            events.add(event(timestamp, "m".repeat(messageBytes)));
        }
        return events;
    }

    private static InputLogEvent event(long timestamp, String message) {
        return InputLogEvent.builder().timestamp(timestamp).message(message).build();
    }
}
