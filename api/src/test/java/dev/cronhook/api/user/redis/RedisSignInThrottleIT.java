package dev.cronhook.api.user.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cronhook.api.user.AuthProperties;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The sign-in throttle on a real Redis: free failures, growing holds up to the maximum, atomic counting. */
class RedisSignInThrottleIT {
    private static final AuthProperties.Throttle SETTINGS = new AuthProperties.Throttle(
            true, 5, 20, Duration.ofSeconds(10), Duration.ofSeconds(25), Duration.ofHours(1));

    private RedisClient client;
    private StatefulRedisConnection<String, String> connection;
    private RedisSignInThrottle throttle;
    private final String key = "account:test-" + UUID.randomUUID();

    @BeforeEach
    void connect() {
        client = RedisClient.create(System.getenv().getOrDefault("CRONHOOK_TEST_REDIS_URL", "redis://127.0.0.1:6379"));
        connection = client.connect();
        throttle = new RedisSignInThrottle(connection, SETTINGS);
    }

    @AfterEach
    void disconnect() {
        connection.sync().del(RedisSignInThrottle.keys(key));
        connection.close();
        client.shutdown();
    }

    /** Lets the current hold pass at once, as if its time were over. */
    private void holdIsOver() {
        connection.sync().del(RedisSignInThrottle.keys(key)[1]);
    }

    @Test
    void theFreeFailuresPassThenEachFurtherOneIsHeldBackTwiceAsLongUpToTheMaximum() {
        for (int i = 0; i < 6; i++) assertThat(throttle.attempt(key, 5)).isZero();

        var first = throttle.attempt(key, 5);
        holdIsOver();
        assertThat(throttle.attempt(key, 5)).isZero();
        var second = throttle.attempt(key, 5);
        holdIsOver();
        assertThat(throttle.attempt(key, 5)).isZero();
        var capped = throttle.attempt(key, 5);

        assertThat(first).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(10));
        assertThat(second).isGreaterThan(Duration.ofSeconds(10)).isLessThanOrEqualTo(Duration.ofSeconds(20));
        assertThat(capped).isGreaterThan(Duration.ofSeconds(20)).isLessThanOrEqualTo(Duration.ofSeconds(25));
    }

    @Test
    void parallelAttemptsPastTheFreeFailuresLetOnlyOneThrough() throws Exception {
        for (int i = 0; i < 5; i++) throttle.attempt(key, 5);
        var through = 0;
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            var answers = new ArrayList<Future<Duration>>();
            for (int i = 0; i < 20; i++)
                answers.add(threads.submit((Callable<Duration>) () -> throttle.attempt(key, 5)));
            for (var answer : answers) if (answer.get().isZero()) through++;
        }

        assertThat(through).isEqualTo(1);
    }

    @Test
    void anAccountsSuccessForgetsItsFailuresAndAnAddressesTakesBackOnlyItsOwnAttempt() {
        for (int i = 0; i < 6; i++) throttle.attempt(key, 5);
        throttle.succeeded(key, true);
        assertThat(throttle.attempt(key, 5)).isZero();
        assertThat(connection.sync().get(RedisSignInThrottle.keys(key)[0])).isEqualTo("1");

        throttle.attempt(key, 5);
        throttle.succeeded(key, false);
        assertThat(connection.sync().get(RedisSignInThrottle.keys(key)[0])).isEqualTo("1");
    }
}
