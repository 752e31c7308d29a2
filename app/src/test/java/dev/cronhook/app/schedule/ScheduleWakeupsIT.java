package dev.cronhook.app.schedule;

import static org.awaitility.Awaitility.await;

import dev.cronhook.api.schedule.redis.RedisScheduleWakeups;
import dev.cronhook.app.testing.RedisProcess;
import io.lettuce.core.RedisClient;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The scheduler's wake-ups over a real Redis: an announcement wakes a listener, and so does the listener's return
 * after a Redis restart, since what was announced while it was cut off is never sent again (the scheduler's poll
 * interval is long because of this).
 */
class ScheduleWakeupsIT {

    @Test
    void anAnnouncementWakesTheListenerAndSoDoesItsReturnAfterARedisRestart() throws Exception {
        try (var redis = new RedisProcess()) {
            var client = RedisClient.create(redis.url());
            try (var connection = client.connect()) {
                var wakeups = new RedisScheduleWakeups(client, connection);
                var woken = new AtomicInteger();
                try (var listening = wakeups.listen(woken::incrementAndGet)) {
                    await().atMost(Duration.ofSeconds(10)).until(() -> woken.get() >= 1); // subscribed
                    int before = woken.get();
                    wakeups.announce();
                    await().atMost(Duration.ofSeconds(10)).until(() -> woken.get() == before + 1);

                    redis.stop();
                    int cutOff = woken.get();
                    redis.start();

                    // nothing announced: the listener's own resubscription wakes it
                    await().atMost(Duration.ofSeconds(30)).until(() -> woken.get() > cutOff);
                }
            } finally {
                client.shutdown();
            }
        }
    }
}
