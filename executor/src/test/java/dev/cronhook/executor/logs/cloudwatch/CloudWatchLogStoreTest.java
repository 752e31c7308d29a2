package dev.cronhook.executor.logs.cloudwatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cronhook.core.log.LogLine;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.cloudwatchlogs.model.OutputLogEvent;

/** Stream names and event messages of {@link CloudWatchLogStore}, without a network. */
class CloudWatchLogStoreTest {

    @Test
    void streamNamesLoseTheCharactersCloudWatchForbidsAndStayDistinct() {
        assertThat(CloudWatchLogStore.streamNameFor("run/8c1e-42")).isEqualTo("run/8c1e-42");
        assertThat(CloudWatchLogStore.streamNameFor("run:1*2")).isEqualTo("run%3A1%2A2");
        assertThat(CloudWatchLogStore.streamNameFor("run%3A1%2A2")).isEqualTo("run%253A1%252A2");
    }

    @Test
    void aLogIdTooLongForAStreamNameEndsInItsHash() {
        String a = "run/" + "a".repeat(600) + "1";
        String b = "run/" + "a".repeat(600) + "2";

        assertThat(CloudWatchLogStore.streamNameFor(a)).hasSize(512).isNotEqualTo(CloudWatchLogStore.streamNameFor(b));
    }

    @Test
    void anEmptyLogIdIsRefused() {
        assertThatThrownBy(() -> CloudWatchLogStore.streamNameFor("")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aLineSurvivesTheTripThroughAnEventMessage() {
        var line = new LogLine(
                Instant.parse("2026-11-22T12:00:00.123456789Z"),
                "stderr",
                "a \"b\"\n\tc \u00e9 \\ \u0001\b\f\r \ud83d\ude80");
        var event = OutputLogEvent.builder()
                .timestamp(line.time().toEpochMilli())
                .message(CloudWatchLogStore.messageOf(line))
                .build();

        assertThat(CloudWatchLogStore.lineOf(event)).isEqualTo(line);
    }

    @Test
    void anEventWrittenBySomeoneElseReadsAsPlainText() {
        var event = OutputLogEvent.builder()
                .timestamp(1_700_000_000_000L)
                .message("{not ours")
                .build();

        assertThat(CloudWatchLogStore.lineOf(event))
                .isEqualTo(new LogLine(Instant.ofEpochMilli(1_700_000_000_000L), "stdout", "{not ours"));
    }

    @Test
    void aMultiByteLineTooLargeForAnEventIsCutToFit() {
        var line = new LogLine(Instant.EPOCH, "stdout", "\u6f22".repeat(100_000));

        String message = CloudWatchLogStore.messageOf(line);

        assertThat(EventBatches.utf8Length(message)).isLessThanOrEqualTo(CloudWatchLogStore.MAX_MESSAGE_BYTES);
        assertThat(message).endsWith(" [truncated]\"}");
    }
}
