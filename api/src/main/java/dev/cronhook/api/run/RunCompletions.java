package dev.cronhook.api.run;

import dev.cronhook.core.queue.Streams;
import dev.cronhook.core.run.RunResult;
import dev.cronhook.core.wire.Wire;
import io.lettuce.core.RedisClient;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.context.SmartLifecycle;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Tells the api replica that holds a waiting caller (a sync webhook) that its run has ended. The executor that
 * finishes a run announces it on {@link Streams#RUN_FINISHED_CHANNEL} in the same step that publishes the result
 * (the result itself, or only the run id when it is large); every replica hears it and wakes its own waiter, if it
 * has one.
 */
public class RunCompletions implements SmartLifecycle {
    // a RunResult's JSON opens with its run id (records serialize their components in order)
    private static final String RESULT_PREFIX = "{\"runId\":\"";

    private final RedisClient client;
    private final Map<UUID, Sinks.One<Optional<RunResult>>> waiting = new ConcurrentHashMap<>();
    private volatile StatefulRedisPubSubConnection<String, String> connection;

    public RunCompletions(RedisClient client) {
        this.client = client;
    }

    /**
     * Registers interest in a run before it is launched. The Mono completes when the run has ended: with its
     * result when the announcement carried it, else empty (read the run from the database then).
     */
    public Mono<Optional<RunResult>> register(UUID runId) {
        var sink = Sinks.<Optional<RunResult>>one();
        waiting.put(runId, sink);
        return sink.asMono().doFinally(s -> waiting.remove(runId));
    }

    public void forget(UUID runId) {
        waiting.remove(runId);
    }

    void wake(String message) {
        try {
            if (message.startsWith(RESULT_PREFIX)) {
                // only the replica with the waiter reads the whole result
                var id = UUID.fromString(message.substring(RESULT_PREFIX.length(), RESULT_PREFIX.length() + 36));
                var sink = waiting.get(id);
                if (sink != null) sink.tryEmitValue(Optional.of(Wire.json().readValue(message, RunResult.class)));
            } else {
                var sink = waiting.get(UUID.fromString(message));
                if (sink != null) sink.tryEmitValue(Optional.empty());
            }
        } catch (RuntimeException ignored) {
            // not an announcement of ours
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
