package dev.cronhook.api.schedule.jobrunr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The launch of a short retry in the process that recorded the failure: at its time, never after the process began
 * to close (its retry is then left to JobRunr's job), and a close waits for a launch under way. The launch itself
 * (the retry mark, the new run) is {@code SchedulerIT}'s, against the real platform.
 */
class JobRunrRunRetriesTest {
    private final List<UUID> launched = new CopyOnWriteArrayList<>();
    private final CountDownLatch inLaunch = new CountDownLatch(1);
    private volatile CountDownLatch holdLaunch = new CountDownLatch(0);

    private final RetryRunJobHandler handler = new RetryRunJobHandler(null, null, null, null, null, Clock.systemUTC()) {
        @Override
        public void run(RetryRunJob job) throws InterruptedException {
            inLaunch.countDown();
            holdLaunch.await();
            launched.add(job.failedRunId());
        }
    };
    private final JobRunrRunRetries retries =
            new JobRunrRunRetries(null, null, null, Clock.systemUTC(), handler, Duration.ofSeconds(15));

    @Test
    void aRetryIsLaunchedHereAtItsTime() throws Exception {
        var id = UUID.randomUUID();
        var at = Instant.now().plusMillis(300);

        retries.launchHereAt(new RetryRunJob(id, at));

        await().atMost(Duration.ofSeconds(10)).until(() -> launched.contains(id));
        assertThat(Instant.now()).isAfterOrEqualTo(at);
        retries.close();
    }

    @Test
    void aRetryStillWaitingWhenThisClosesIsLeftToJobRunr() throws Exception {
        var id = UUID.randomUUID();
        retries.launchHereAt(new RetryRunJob(id, Instant.now().plusMillis(500)));

        retries.close();
        retries.launchHereAt(new RetryRunJob(UUID.randomUUID(), Instant.now()));

        Thread.sleep(1000);
        assertThat(launched).isEmpty();
        assertThat(inLaunch.getCount()).as("the handler was never entered").isEqualTo(1);
    }

    @Test
    void closingWaitsForALaunchUnderWay() throws Exception {
        holdLaunch = new CountDownLatch(1);
        var id = UUID.randomUUID();
        retries.launchHereAt(new RetryRunJob(id, Instant.now()));
        assertThat(inLaunch.await(10, TimeUnit.SECONDS)).isTrue();

        var closing = CompletableFuture.runAsync(() -> {
            try {
                retries.close();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(300);
        assertThat(closing).as("closed while a launch was under way").isNotDone();

        holdLaunch.countDown();
        closing.get(10, TimeUnit.SECONDS);
        assertThat(launched).containsExactly(id);
    }
}
