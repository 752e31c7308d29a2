package dev.cronhook.bench.logs;

import dev.cronhook.core.log.LogLine;
import dev.cronhook.core.log.LogStore;
import dev.cronhook.executor.logs.LogShipper;
import dev.cronhook.executor.logs.cloudwatch.CloudWatchLogStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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
    private static final com.sun.management.OperatingSystemMXBean PROCESS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private LogShippingBench() {}

    public static void main(String[] args) throws Exception {
        int unpacedLines = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int pacedSeconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int rate = args.length > 2 ? Integer.parseInt(args[2]) : 50_000;
        int paced = rate * pacedSeconds;

        System.out.println("| store | logs | load | lines offered | dropped | offered/s | stored/s (until flushed) |"
                + " PutLogEvents | shipping CPU per line | lines/s per core | offer p50 | p99 | p99.9 | max |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");

        // warm-up, not printed: lets the JIT compile the shipper and the SDK's marshalling first
        run("memory", new CountingStore(), null, 1, 500_000, 0, false);
        run("in-memory LogStore", new CountingStore(), null, 1, unpacedLines, 0, true);
        run("in-memory LogStore", new CountingStore(), null, 1, paced, rate, true);

        for (Duration latency : List.of(Duration.ZERO, Duration.ofMillis(50))) {
            try (var sink = SinkProcess.start(latency);
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
                // paced, not flat out: a producer spinning on one of two cores starves the shipper and the sink, and
                // the rate at which nothing is dropped is what a script sees
                for (int multiple : latency.isZero() ? List.of(1, 2, 4) : List.of(1, 2)) {
                    run(name, cloudWatch, sink, 1, paced * multiple, rate * multiple, true);
                    run(name, cloudWatch, sink, 10, paced * multiple, rate * multiple, true);
                }
            }
        }
    }

    private static void run(
            String storeName, LogStore store, SinkProcess sink, int logs, int lines, int rate, boolean print)
            throws Exception {
        String runId = "run/bench-" + System.nanoTime() + "-";
        var shipper = LogShipper.start(store);
        String text = "x".repeat(LINE_CHARS);
        long[] latencies = new long[lines];
        Instant time = Instant.now();
        long dropped = 0;
        long putsBefore = sink == null ? 0 : sink.puts();
        long cpuBefore = PROCESS.getProcessCpuTime();
        long producerCpuBefore = THREADS.getCurrentThreadCpuTime();
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
        long producerCpu = THREADS.getCurrentThreadCpuTime() - producerCpuBefore;
        boolean flushed = true;
        for (int log = 0; log < logs; log++) {
            flushed &= shipper.flush(runId + log, Duration.ofMinutes(5));
        }
        long stored = System.nanoTime();
        // CPU of everything in this JVM but the producing thread: shipper, store, SDK, HTTP client, GC, JIT
        long shipperCpu = PROCESS.getProcessCpuTime() - cpuBefore - producerCpu;
        shipper.close();
        if (!print) {
            return;
        }
        Arrays.sort(latencies);
        double cpuPerLine = shipperCpu / 1e3 / (lines - dropped);
        System.out.printf(
                "| %s | %d | %s | %,d | %,d | %,.0f | %,.0f%s | %s | %.2f µs | %,.0f | %s | %s | %s | %s |%n",
                storeName,
                logs,
                rate == 0 ? "as fast as possible" : String.format("paced %,d/s", rate),
                lines,
                dropped,
                lines / seconds(offered - start),
                (lines - dropped) / seconds(stored - start),
                flushed ? "" : " (flush timed out)",
                sink == null ? "–" : String.format("%,d", sink.puts() - putsBefore),
                cpuPerLine,
                1e6 / cpuPerLine,
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

    /** A {@link CloudWatchLogsSink} in a JVM of its own, so that its CPU time is not counted as the shipper's. */
    private record SinkProcess(Process process, URI endpoint, HttpClient http) implements AutoCloseable {

        static SinkProcess start(Duration latency) throws Exception {
            var process = new ProcessBuilder(
                            ProcessHandle.current().info().command().orElse("java"),
                            "-cp",
                            System.getProperty("java.class.path"),
                            CloudWatchLogsSink.class.getName(),
                            Long.toString(latency.toMillis()))
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            String first = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            if (first == null || !first.startsWith("port ")) {
                process.destroy();
                throw new IllegalStateException("the sink did not start: " + first);
            }
            return new SinkProcess(
                    process, URI.create("http://127.0.0.1:" + first.substring(5)), HttpClient.newHttpClient());
        }

        long puts() throws Exception {
            String stats = http.send(
                            HttpRequest.newBuilder(endpoint.resolve("/stats")).build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            return Long.parseLong(stats.split(" ")[0]);
        }

        @Override
        public void close() throws Exception {
            process.getOutputStream().close();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroy();
            }
            http.close();
        }
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
