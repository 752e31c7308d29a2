package dev.cronhook.api.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class BlockingTest {

    @Test
    void workGoesOnUninterruptedWhenItsCallerGoesAway() throws Exception {
        var started = new CountDownLatch(1);
        var finished = new CountDownLatch(1);
        var interrupted = new AtomicBoolean();
        var subscription = Blocking.call(() -> {
                    started.countDown();
                    try {
                        Thread.sleep(Duration.ofMillis(300));
                    } catch (InterruptedException e) {
                        interrupted.set(true);
                    }
                    finished.countDown();
                    return "done";
                })
                .subscribe();
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();

        subscription.dispose(); // what a webhook client hanging up does to its request's work

        assertThat(finished.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(interrupted).as("the work was interrupted").isFalse();
    }
}
