package dev.cronhook.api.run;

import dev.cronhook.core.queue.Streams;
import io.lettuce.core.RedisClient;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.context.SmartLifecycle;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Tells the api replica that holds a waiting caller (a sync webhook) that its run has ended. The replica that
 * records a result publishes the run id on {@link Streams#RUN_FINISHED_CHANNEL}; every replica hears it and wakes
 * its own waiter, if it has one.
 */
public class RunCompletions implements SmartLifecycle {
    private final RedisClient client;
    private final Map<UUID, Sinks.One<UUID>> waiting = new ConcurrentHashMap<>();
    private volatile StatefulRedisPubSubConnection<String, String> connection;

    public RunCompletions(RedisClient client) {
        this.client = client;
    }

    /** Registers interest in a run before it is launched; the Mono completes when it has ended. */
    public Mono<UUID> register(UUID runId) {
        var sink = Sinks.<UUID>one();
        waiting.put(runId, sink);
        return sink.asMono().doFinally(s -> waiting.remove(runId));
    }

    public void forget(UUID runId) {
        waiting.remove(runId);
    }

    void wake(String message) {
        try {
            var id = UUID.fromString(message);
            var sink = waiting.get(id);
            if (sink != null) sink.tryEmitValue(id);
        } catch (IllegalArgumentException ignored) {
            // not a run id
        }
    }

    @Override
    public void start() {
        var c = client.connectPubSub();
        c.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                wake(message);
            }
        });
        c.sync().subscribe(Streams.RUN_FINISHED_CHANNEL);
        connection = c;
    }

    @Override
    public void stop() {
        if (connection != null) connection.close();
        connection = null;
    }

    @Override
    public boolean isRunning() {
        return connection != null;
    }
}
