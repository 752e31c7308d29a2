package dev.cronhook.app.config;

import dev.cronhook.core.queue.redis.Utf8Codec;
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
import io.netty.util.HashedWheelTimer;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
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
    ClientResources redisClientResources(HashedWheelTimer redisTimer) {
        return DefaultClientResources.builder()
                .timer(redisTimer)
                .nettyCustomizer(new NettyCustomizer() {
                    @Override
                    public void afterChannelInitialized(Channel channel) {
                        channel.pipeline().addFirst(new FlushConsolidationHandler(256, true));
                    }
                })
                .build();
    }

    /**
     * Lettuce's timer (command time-outs, reconnection delays) ticks every 500 ms instead of its default 100 ms: its
     * thread wakes at every tick, busy or not, ten times a second on an idle platform. A command times out at most
     * one tick after its 5 s; a reconnection to a Redis that came back starts at most one tick later.
     */
    @Bean(destroyMethod = "stop")
    HashedWheelTimer redisTimer() {
        return new HashedWheelTimer(new DefaultThreadFactory("lettuce-timer", true), 500, TimeUnit.MILLISECONDS);
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

    /** The connection the platform's commands share; keys and values encoded by {@link Utf8Codec}. */
    @Bean(destroyMethod = "close")
    StatefulRedisConnection<String, String> redisConnection(RedisClient client) {
        return client.connect(Utf8Codec.INSTANCE);
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
