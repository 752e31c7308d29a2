package dev.cronhook.executor.logs.cloudwatch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cronhook.core.log.LogLine;
import dev.cronhook.executor.logs.Backoff;
import dev.cronhook.executor.logs.LogShipper;
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

/**
 * {@link LogShipper} into {@link CloudWatchLogStore} against {@link CloudWatchLogsStandIn}: what a run's log goes
 * through when CloudWatch pushes back. The stand-in cannot prove AWS's real throttling patterns or quotas; it proves
 * that a throttling spell longer than the store's own retries costs no line and changes no order.
 */
class LogShipperToCloudWatchIT {

    private static final Instant T0 = Instant.parse("2026-11-22T12:00:00Z");

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
                        CloudWatchLogStore.retryStrategy(2, Duration.ofMillis(1), Duration.ofMillis(5))))
                .build();
        store = new CloudWatchLogStore(client, "/cronhook/runs");
    }

    @AfterEach
    void stop() {
        client.close();
        cloudWatch.close();
    }

    @Test
    void aLongThrottlingSpellLosesNoLineAndKeepsTheOrder() {
        var shipper = LogShipper.start(
                store,
                LogShipper.Settings.defaults().withRetry(new Backoff(Duration.ofMillis(5), Duration.ofMillis(50))));
        store.append("run/warm", List.of(new LogLine(T0, "stdout", "group created")));
        cloudWatch.throttlePuts(12);
        var offered = new ArrayList<List<LogLine>>();
        for (int log = 0; log < 3; log++) {
            offered.add(new ArrayList<>());
        }
        for (int i = 0; i < 6_000; i++) {
            var line = new LogLine(T0.plusMillis(i / 3), "stdout", "line " + i);
            offered.get(i % 3).add(line);
            shipper.offer("run/" + i % 3, line);
        }

        for (int log = 0; log < 3; log++) {
            assertThat(shipper.flush("run/" + log, Duration.ofSeconds(30))).isTrue();
            assertThat(shipper.lost("run/" + log)).isZero();
            assertThat(store.read("run/" + log)).containsExactlyElementsOf(offered.get(log));
        }
        // the spell outlasted the store's own two attempts more than once: the shipper's retries carried it
        assertThat(cloudWatch.calls("PutLogEvents")).isGreaterThan(1 + 12);
        shipper.close();
    }
}
