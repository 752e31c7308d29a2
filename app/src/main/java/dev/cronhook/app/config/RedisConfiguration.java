package dev.cronhook.app.config;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.NettyCustomizer;
import io.netty.channel.Channel;
import io.netty.handler.flush.FlushConsolidationHandler;
import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The one Redis client of the process and its shared connection (lettuce connections are thread-safe). */
@Configuration(proxyBeanMethods = false)
public class RedisConfiguration {

    /**
     * Lettuce writes and flushes each command on its own, one system call apiece (on a VM a system call is most of
     * what a small command costs); commands written in the same turn of a connection's event loop (the begin
     * scripts of one read of the run stream, the replies of a batch) are flushed together instead.
     */
    @Bean(destroyMethod = "shutdown")
    ClientResources redisClientResources() {
        return DefaultClientResources.builder()
                .nettyCustomizer(new NettyCustomizer() {
                    @Override
                    public void afterChannelInitialized(Channel channel) {
                        channel.pipeline().addFirst(new FlushConsolidationHandler(256, true));
                    }
                })
                .build();
    }

    @Bean(destroyMethod = "shutdown")
    RedisClient redisClient(ClientResources resources, @Value("${cronhook.redis.url}") String url) {
        var uri = RedisURI.create(url);
        uri.setTimeout(Duration.ofSeconds(5));
        var client = RedisClient.create(resources, uri);
        // each command times out after its connection's timeout, 5 s unless a connection says otherwise: a queue's
        // reader, whose blocked reads wait longer (RedisWorkQueue)
        client.setOptions(ClientOptions.builder()
                .timeoutOptions(TimeoutOptions.builder()
                        .timeoutCommands()
                        .connectionTimeout()
                        .build())
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
