package dev.cronhook.executor.logs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cronhook.core.log.LogLine;
import dev.cronhook.core.log.LogStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * What every {@link LogStore} adapter promises; an adapter's test extends it and supplies the store. (It belongs next
 * to the port in core's tests once core publishes a test jar.)
 */
public abstract class LogStoreContract {

    private static final Instant T0 = Instant.parse("2026-11-22T12:00:00.000001Z");

    /** The store under test, empty of the log ids these tests use. */
    protected abstract LogStore store();

    @Test
    void appendedLinesAreReadBackInOrderAcrossAppends() {
        var first = List.of(line(0, "stdout", "one"), line(1, "stderr", "two"));
        var second = List.of(line(2, "stdout", "three"));

        store().append("run/contract-order", first);
        store().append("run/contract-order", second);

        assertThat(store().read("run/contract-order")).containsExactly(first.get(0), first.get(1), second.get(0));
    }

    @Test
    void aLogNobodyWroteReadsAsEmpty() {
        assertThat(store().read("run/contract-never")).isEmpty();
    }

    @Test
    void anEmptyAppendChangesNothing() {
        store().append("run/contract-empty", List.of());

        assertThat(store().read("run/contract-empty")).isEmpty();
    }

    @Test
    void logsStayApartWhenWrittenAtTheSameTime() throws Exception {
        var futures = new ArrayList<Future<List<LogLine>>>();
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int log = 0; log < 4; log++) {
                String logId = "run/contract-parallel-" + log;
                futures.add(threads.submit((Callable<List<LogLine>>) () -> {
                    var lines = new ArrayList<LogLine>();
                    for (int i = 0; i < 50; i++) {
                        var line = line(i, "stdout", logId + " line " + i);
                        lines.add(line);
                        store().append(logId, List.of(line));
                    }
                    return lines;
                }));
            }
        }

        for (int log = 0; log < 4; log++) {
            assertThat(store().read("run/contract-parallel-" + log))
                    .containsExactlyElementsOf(futures.get(log).get());
        }
    }

    private static LogLine line(int i, String stream, String text) {
        return new LogLine(T0.plusMillis(i), stream, text);
    }
}
