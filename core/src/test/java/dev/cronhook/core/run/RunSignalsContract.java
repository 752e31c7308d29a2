package dev.cronhook.core.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The contract of {@link RunSignals}, which every adapter's test extends. */
public abstract class RunSignalsContract {
    protected abstract RunSignals signals();

    @Test
    void aCancelledRunIsMarkedAndAnotherIsNot() {
        var run = UUID.randomUUID();
        assertThat(signals().cancelled(run)).isFalse();
        signals().cancel(run);
        signals().cancel(run);
        assertThat(signals().cancelled(run)).isTrue();
        assertThat(signals().cancelled(UUID.randomUUID())).isFalse();
    }

    @Test
    void listenersHearCancellationsUntilTheyStop() throws Exception {
        List<UUID> heard = new CopyOnWriteArrayList<>();
        var run = UUID.randomUUID();
        var handle = signals().onCancel(heard::add);
        signals().cancel(run);
        await().atMost(Duration.ofSeconds(5)).until(() -> heard.contains(run));
        handle.close();
        var later = UUID.randomUUID();
        signals().cancel(later);
        // the mark is there for a run the listener no longer hears of
        assertThat(signals().cancelled(later)).isTrue();
        Thread.sleep(200);
        assertThat(heard).containsExactly(run);
    }
}
