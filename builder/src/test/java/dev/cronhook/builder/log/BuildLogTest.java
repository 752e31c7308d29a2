package dev.cronhook.builder.log;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cronhook.core.build.BuildState;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BuildLogTest {
    private final List<String> live = new ArrayList<>();
    private final BuildLogSink sink = new BuildLogSink() {
        @Override
        public void line(long epochMillis, BuildLog.Source source, String line) {
            live.add(epochMillis + " " + source.wireName() + " " + line);
        }

        @Override
        public void end(long epochMillis, BuildState outcome) {
            live.add(epochMillis + " end " + outcome);
        }
    };
    private final BuildLog log = new BuildLog(sink, Clock.fixed(Instant.ofEpochMilli(42), ZoneOffset.UTC));

    @Test
    void everyLineGoesLiveWithItsTimeAndSourceAndIsKeptForTheResult() {
        log.system("resolving 2 dependencies");
        log.line(BuildLog.Source.STDERR, "npm error code E404");
        log.end(BuildState.FAILED);

        assertThat(live)
                .containsExactly(
                        "42 system resolving 2 dependencies", "42 stderr npm error code E404", "42 end FAILED");
        assertThat(log.text()).isEqualTo("resolving 2 dependencies\n[stderr] npm error code E404\n");
    }

    @Test
    void theKeptTextIsCutOnceButTheLiveLogGetsEveryLine() {
        String line = "x".repeat(1000);
        for (int i = 0; i < 300; i++) log.line(BuildLog.Source.STDOUT, line);

        assertThat(live).hasSize(300);
        assertThat(log.text().length()).isLessThanOrEqualTo(BuildLog.MAX_KEPT_CHARS + 100);
        assertThat(log.text()).endsWith("(log truncated; the live build log has every line)\n");
    }
}
