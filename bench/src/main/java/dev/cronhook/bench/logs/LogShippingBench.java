package dev.cronhook.bench.logs;

import dev.cronhook.core.log.LogLine;
import dev.cronhook.core.log.LogStore;
import dev.cronhook.executor.logs.LogShipper;
import dev.cronhook.executor.logs.cloudwatch.CloudWatchLogStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;

/**
 * Measures how many log lines per second one {@link LogShipper} gets into a store, and how long {@code offer} keeps the
 * script's output reader waiting: into an in-memory store (the shipper's own cost) and through {@link
 * CloudWatchLogStore} and the AWS SDK into a local CloudWatch Logs sink. Prints a Markdown table.
 *
 * <p>Usage: {@code LogShippingBench [unpacedLines] [pacedSeconds] [rate]} (defaults 1,000,000, 10, 50,000).
 */
public final class LogShippingBench {

    private static final int LINE_CHARS = 100;

    private LogShippingBench() {}

    public static void main(String[] args) throws Exception {
        int unpacedLines = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int pacedSeconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int rate = args.length > 2 ? Integer.parseInt(args[2]) : 50_000;
        int paced = rate * pacedSeconds;

        System.out.println("| store | logs | load | lines offered | dropped | offered/s | stored/s (until flushed) |"
                + " PutLogEvents | offer p50 | p99 | p99.9 | max |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");

        // warm-up, not printed: lets the JIT compile the shipper and the SDK's marshalling first
        run("memory", new CountingStore(), null, 1, 500_000, 0, false);
        run("in-memory LogStore", new CountingStore(), null, 1, unpacedLines, 0, true);
        run("in-memory LogStore", new CountingStore(), null, 1, paced, rate, true);

        for (Duration latency : List.of(Duration.ZERO, Duration.ofMillis(50))) {
            try (var sink = new CloudWatchLogsSink(latency);
                    var client = CloudWatchLogsClient.builder()
                            .endpointOverride(sink.endpoint())
                            .region(Region.US_EAST_1)
                            .credentialsProvider(
                                    StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDBENCH", "bench")))
                            .httpClientBuilder(ApacheHttpClient.builder())
                            .build()) {
                LogStore cloudWatch = new CloudWatchLogStore(client, "/cronhook/bench");
                String name = "CloudWatchLogStore → sink, " + latency.toMillis() + " ms per put";
                run("warm-up", cloudWatch, sink, 1, 200_000, 0, false);
                if (latency.isZero()) {
                    run(name, cloudWatch, sink, 1, unpacedLines, 0, true);
                }
                run(name, cloudWatch, sink, 1, paced, rate, true);
                run(name, cloudWatch, sink, 10, paced, rate, true);
            }
        }
    }

    private static void run(
            String storeName, LogStore store, CloudWatchLogsSink sink, int logs, int lines, int rate, boolean print)
            throws InterruptedException {
        String runId = "run/bench-" + System.nanoTime() + "-";
        var shipper = LogShipper.start(store);
        String text = "x".repeat(LINE_CHARS);
        long[] latencies = new long[lines];
        Instant time = Instant.now();
        long dropped = 0;
        long putsBefore = sink == null ? 0 : sink.puts();
        long start = System.nanoTime();
        long nanosPerLine = rate == 0 ? 0 : TimeUnit.SECONDS.toNanos(1) / rate;
        for (int i = 0; i < lines; i++) {
            if (rate != 0 && (i & 127) == 0) {
                // a script prints in bursts: wait for the burst's due time, then offer 128 lines back to back
                long due = start + i * nanosPerLine;
                long wait;
                while ((wait = due - System.nanoTime()) > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
            }
            var line = new LogLine(time, "stdout", text);
            String logId = runId + (i % logs);
            long before = System.nanoTime();
            boolean accepted = shipper.offer(logId, line);
            latencies[i] = System.nanoTime() - before;
            if (!accepted) {
                dropped++;
            }
        }
        long offered = System.nanoTime();
        boolean flushed = true;
        for (int log = 0; log < logs; log++) {
            flushed &= shipper.flush(runId + log, Duration.ofMinutes(5));
        }
        long stored = System.nanoTime();
        shipper.close();
        if (!print) {
            return;
        }
        Arrays.sort(latencies);
        System.out.printf(
                "| %s | %d | %s | %,d | %,d | %,.0f | %,.0f%s | %s | %s | %s | %s | %s |%n",
                storeName,
                logs,
                rate == 0 ? "as fast as possible" : String.format("paced %,d/s", rate),
                lines,
                dropped,
                lines / seconds(offered - start),
                (lines - dropped) / seconds(stored - start),
                flushed ? "" : " (flush timed out)",
                sink == null ? "–" : String.format("%,d", sink.puts() - putsBefore),
                micros(latencies[(int) (lines * 0.50)]),
                micros(latencies[(int) (lines * 0.99)]),
                micros(latencies[(int) (lines * 0.999)]),
                micros(latencies[lines - 1]));
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    private static String micros(long nanos) {
        return String.format("%.1f µs", nanos / 1e3);
    }

    /** Takes every batch and only counts it: the shipper's own cost, with no store behind it. */
    private static final class CountingStore implements LogStore {
        private final AtomicLong lines = new AtomicLong();

        @Override
        public void append(String logId, List<LogLine> batch) {
            lines.addAndGet(batch.size());
        }

        @Override
        public List<LogLine> read(String logId) {
            return List.of();
        }
    }
}
