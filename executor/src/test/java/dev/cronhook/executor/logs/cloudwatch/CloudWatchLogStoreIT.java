package dev.cronhook.executor.logs.cloudwatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cronhook.core.log.LogLine;
import dev.cronhook.executor.logs.LogPartlyAppendedException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.ThrottlingException;

/**
 * {@link CloudWatchLogStore} through the real AWS SDK client against {@link CloudWatchLogsStandIn}. The stand-in
 * cannot prove that AWS accepts our SigV4 signatures and credentials, AWS's real quotas and throttling behaviour,
 * its handling of events too old or too new (rejectedLogEventsInfo), its exact paging tokens, or its ordering of
 * events read back within one millisecond across batches; it proves the wire protocol as the SDK speaks it, the
 * creation of group and stream, retries, and that every batch we send is within PutLogEvents' documented limits.
 * The client's own retries are off so that the store's retries are what is tested.
 */
class CloudWatchLogStoreIT {

    private static final String GROUP = "/cronhook/runs";
    private static final Instant T0 = Instant.parse("2026-11-22T12:00:00.123456Z");

    private CloudWatchLogsStandIn cloudWatch;
    private CloudWatchLogsClient client;
    private CloudWatchLogStore store;

    @BeforeEach
    void start() throws Exception {
        cloudWatch = CloudWatchLogsStandIn.start();
        client = CloudWatchLogsClient.builder()
                .endpointOverride(cloudWatch.endpoint())
                .region(Region.US_EAST_1)
                .credentialsProvider(
                        StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDSTANDIN", "stand-in-secret")))
                .httpClientBuilder(ApacheHttpClient.builder())
                .overrideConfiguration(o -> o.retryStrategy(
                        CloudWatchLogStore.retryStrategy(5, Duration.ofMillis(1), Duration.ofMillis(20))))
                .build();
        store = new CloudWatchLogStore(client, GROUP);
    }

    @AfterEach
    void stop() {
        client.close();
        cloudWatch.close();
    }

    @Test
    void linesAreShippedAndReadBackInOrderExactlyAsAppended() {
        var lines = List.of(
                new LogLine(T0, "stdout", "starting"),
                new LogLine(T0.plusNanos(1_000), "stderr", "warning: \"quoted\" \u00e9\u6f22\ud83d\ude80"),
                // stamped earlier than the line before it (stderr read a little late): still read back after it
                new LogLine(T0.minusMillis(5), "stdout", "late"),
                new LogLine(T0.plusMillis(1), "system", ""),
                new LogLine(T0.plusMillis(2), "stdout", "{\"json\": true}"));
        store.append("run/7f3e", lines.subList(0, 2));
        store.append("run/7f3e", lines.subList(2, 5));

        assertThat(store.read("run/7f3e")).containsExactlyElementsOf(lines);
    }

    @Test
    void theGroupAndTheStreamAreCreatedWhenMissing() {
        assertThat(cloudWatch.hasGroup(GROUP)).isFalse();

        store.append("run:1*2", List.of(new LogLine(T0, "stdout", "hello")));
        store.append("run:3", List.of(new LogLine(T0, "stdout", "hello")));

        assertThat(cloudWatch.hasStream(GROUP, "run%3A1%2A2")).isTrue();
        assertThat(cloudWatch.hasStream(GROUP, "run%3A3")).isTrue();
        assertThat(cloudWatch.calls("CreateLogGroup")).isEqualTo(1);
        assertThat(store.read("run:1*2")).extracting(LogLine::text).containsExactly("hello");
    }

    @Test
    void aGroupCreatedByAnotherExecutorMeanwhileIsNoError() {
        var other = new CloudWatchLogStore(client, GROUP);
        other.append("run/a", List.of(new LogLine(T0, "stdout", "a")));

        store.append("run/b", List.of(new LogLine(T0, "stdout", "b")));
        store.append("run/a", List.of(new LogLine(T0.plusMillis(1), "stdout", "a2")));

        assertThat(store.read("run/a")).extracting(LogLine::text).containsExactly("a", "a2");
        assertThat(store.read("run/b")).extracting(LogLine::text).containsExactly("b");
    }

    @Test
    void aThrottledPutIsRetriedAndNothingIsLost() {
        store.append("run/t", List.of(new LogLine(T0, "stdout", "first")));
        cloudWatch.throttlePuts(3);
        int putsBefore = cloudWatch.calls("PutLogEvents");

        store.append("run/t", numbered(100, T0.plusSeconds(1), 10));

        assertThat(cloudWatch.calls("PutLogEvents") - putsBefore).isEqualTo(4);
        assertThat(store.read("run/t")).hasSize(101);
    }

    @Test
    void aPutThatFailsOnCloudWatchsSideIsRetried() {
        store.append("run/u", List.of(new LogLine(T0, "stdout", "first")));
        cloudWatch.failPuts(2, 503, "ServiceUnavailableException");

        store.append("run/u", List.of(new LogLine(T0.plusMillis(1), "stdout", "second")));

        assertThat(store.read("run/u")).extracting(LogLine::text).containsExactly("first", "second");
    }

    @Test
    void aPutThrottledOnEveryAttemptFailsSoTheCallerCanRetryLater() {
        store.append("run/v", List.of(new LogLine(T0, "stdout", "first")));
        cloudWatch.throttlePuts(5);

        assertThatThrownBy(() -> store.append("run/v", List.of(new LogLine(T0.plusMillis(1), "stdout", "second"))))
                .isInstanceOf(ThrottlingException.class);
        assertThat(store.read("run/v")).extracting(LogLine::text).containsExactly("first");
    }

    @Test
    void twentyFiveThousandLinesAreSplitIntoBatchesWithinTheLimits() {
        var lines = numbered(25_000, T0, 120);

        store.append("run/big", lines);

        var batches = cloudWatch.batches();
        assertThat(batches).allSatisfy(batch -> {
            assertThat(batch.events()).isBetween(1, 10_000);
            assertThat(batch.bytes()).isLessThanOrEqualTo(1_048_576);
        });
        assertThat(batches).hasSizeGreaterThanOrEqualTo(5);
        assertThat(batches.stream()
                        .mapToInt(CloudWatchLogsStandIn.Batch::events)
                        .sum())
                .isEqualTo(25_000);
        assertThat(store.read("run/big")).containsExactlyElementsOf(lines);
    }

    @Test
    void aFailureAfterSomeBatchesSaysHowManyLinesAreStored() {
        var lines = numbered(25_000, T0, 120);
        store.append("run/partly", lines.subList(0, 1));
        cloudWatch.failPutsAfter(2, 1_000, 400, "ThrottlingException");

        assertThatThrownBy(() -> store.append("run/partly", lines.subList(1, lines.size())))
                .isInstanceOfSatisfying(LogPartlyAppendedException.class, partly -> {
                    var batches = cloudWatch.batches();
                    int stored = batches.get(1).events() + batches.get(2).events();
                    assertThat(partly.stored()).isEqualTo(stored);
                    assertThat(store.read("run/partly")).containsExactlyElementsOf(lines.subList(0, 1 + stored));
                });
    }

    @Test
    void tenThousandSmallLinesAndOneMoreMakeTwoBatches() {
        store.append("run/small", numbered(10_001, T0, 1));

        assertThat(cloudWatch.batches())
                .extracting(CloudWatchLogsStandIn.Batch::events)
                .containsExactly(10_000, 1);
    }

    @Test
    void linesSpanningMoreThanADayGoInBatchesSpanningLess() {
        var lines = new ArrayList<LogLine>();
        for (int hour = 0; hour <= 60; hour += 6) {
            lines.add(new LogLine(T0.plus(Duration.ofHours(hour)), "stdout", "hour " + hour));
        }

        store.append("run/long", lines);

        assertThat(cloudWatch.batches()).allSatisfy(batch -> assertThat(batch.lastTimestamp() - batch.firstTimestamp())
                .isLessThan(Duration.ofHours(24).toMillis()));
        assertThat(store.read("run/long")).containsExactlyElementsOf(lines);
    }

    @Test
    void aLineTooLargeForCloudWatchIsTruncated() {
        String huge = "x".repeat(300_000);

        store.append("run/huge", List.of(new LogLine(T0, "stdout", huge)));

        var read = store.read("run/huge");
        assertThat(read).hasSize(1);
        assertThat(read.getFirst().text())
                .startsWith("xxxx")
                .endsWith(" [truncated]")
                .hasSizeLessThan(262_144);
    }

    @Test
    void aLogNeverWrittenReadsAsNoLines() {
        assertThat(store.read("run/none")).isEmpty();
        store.append("run/other", List.of(new LogLine(T0, "stdout", "x")));
        assertThat(store.read("run/none")).isEmpty();
    }

    private static List<LogLine> numbered(int count, Instant from, int width) {
        var lines = new ArrayList<LogLine>(count);
        for (int i = 0; i < count; i++) {
            String number = Integer.toString(i);
            lines.add(new LogLine(
                    from.plusMillis(i / 7),
                    i % 5 == 0 ? "stderr" : "stdout",
                    number + "-".repeat(Math.max(0, width - number.length()))));
        }
        return lines;
    }
}
