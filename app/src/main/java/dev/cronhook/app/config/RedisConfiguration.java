package dev.cronhook.app.config;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The one Redis client of the process and its shared connection (lettuce connections are thread-safe). */
@Configuration(proxyBeanMethods = false)
public class RedisConfiguration {

    @Bean(destroyMethod = "shutdown")
    RedisClient redisClient(@Value("${cronhook.redis.url}") String url) {
        var client = RedisClient.create(RedisURI.create(url));
        client.setOptions(ClientOptions.builder()
                .timeoutOptions(TimeoutOptions.enabled(Duration.ofSeconds(5)))
                .build());
        return client;
    }

    @Bean(destroyMethod = "close")
    StatefulRedisConnection<String, String> redisConnection(RedisClient client) {
        return client.connect();
    }

    @Bean
    HealthIndicator redisHealthIndicator(StatefulRedisConnection<String, String> connection) {
        return () -> {
            try {
                return "PONG".equals(connection.sync().ping())
                        ? Health.up().build()
                        : Health.down().build();
            } catch (RuntimeException e) {
                return Health.down(e).build();
            }
        };
    }
}
