package dev.cronhook.core.tryout.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cronhook.core.queue.redis.Streams;
import dev.cronhook.core.tryout.TryOutEvent;
import dev.cronhook.core.wire.Wire;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The try-out channel against a real Redis: one try-out's events in order, its end, and worker liveness. */
class RedisTryOutChannelIT {
    private RedisClient client;
    private StatefulRedisConnection<String, String> connection;
    private RedisTryOutChannel channel;
    private final UUID id = UUID.randomUUID();
    private final String worker = "test-worker-" + UUID.randomUUID();

    @BeforeEach
    void connect() {
        client = RedisClient.create(System.getenv().getOrDefault("CRONHOOK_TEST_REDIS_URL", "redis://127.0.0.1:6379"));
        connection = client.connect();
        channel = new RedisTryOutChannel(client, connection, Wire.json());
    }

    @AfterEach
    void disconnect() {
        connection.sync().del(Streams.tryOutEvents(id));
        connection.sync().zrem(Streams.TRY_OUT_WORKERS, worker);
        connection.close();
        client.shutdown();
    }

    @Test
    void aReaderGetsEveryEventInOrderFromTheFirstHoweverLateItStarts() {
        var now = Instant.parse("2026-11-01T10:00:00Z");
        channel.publish(id, new TryOutEvent.Started(1, "w"));
        channel.publish(id, new TryOutEvent.Install(now, "system", "resolving 1 dependency"));
        try (var reader = channel.read(id)) {
            var events = new ArrayList<>(reader.next(Duration.ofMillis(200)));
            channel.publish(id, new TryOutEvent.Log(now, "stdout", "hello"));
            channel.publish(id, new TryOutEvent.Finished("SUCCEEDED", "{\"n\":1}", null, null, 5, 7, 12));
            while (events.isEmpty() || !events.getLast().isEnd()) events.addAll(reader.next(Duration.ofMillis(200)));

            assertThat(events)
                    .containsExactly(
                            new TryOutEvent.Started(1, "w"),
                            new TryOutEvent.Install(now, "system", "resolving 1 dependency"),
                            new TryOutEvent.Log(now, "stdout", "hello"),
                            new TryOutEvent.Finished("SUCCEEDED", "{\"n\":1}", null, null, 5, 7, 12));
            assertThat(reader.next(Duration.ofMillis(10))).isEmpty();
        }
    }

    @Test
    void onceItsEndIsReadOnlyTheEndIsKeptAndTheTryOutCountsAsEnded() {
        channel.publish(id, new TryOutEvent.Started(1, "w"));
        assertThat(channel.hasEnded(id)).isFalse();
        channel.publish(id, new TryOutEvent.Failed(503, "no worker took it"));
        assertThat(channel.hasEnded(id)).isTrue();

        try (var reader = channel.read(id)) {
            List<TryOutEvent> events = reader.next(Duration.ofMillis(200));
            assertThat(events.getLast()).isEqualTo(new TryOutEvent.Failed(503, "no worker took it"));
        }
        assertThat(connection.sync().xlen(Streams.tryOutEvents(id))).isEqualTo(1);
        assertThat(connection.sync().ttl(Streams.tryOutEvents(id))).isPositive();
        assertThat(channel.hasEnded(id)).isTrue();
        assertThat(channel.hasEnded(UUID.randomUUID())).isFalse();
    }

    @Test
    void aWorkerCountsAsAliveWhileItSaysSoRecentlyAndNotAfterItLeaves() throws InterruptedException {
        channel.heartbeat(worker);
        assertThat(channel.anyWorkerAlive(Duration.ofSeconds(10))).isTrue();
        Thread.sleep(30);
        assertThat(channel.anyWorkerAlive(Duration.ofMillis(10)))
                .as("its last word is older than the window")
                .isFalse();
        channel.leave(worker);
        assertThat(channel.anyWorkerAlive(Duration.ofSeconds(10))).isFalse();
    }
}
