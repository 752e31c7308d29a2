package dev.cronhook.api.log.redis;

import dev.cronhook.api.log.LiveLog;
import dev.cronhook.core.log.LogLine;
import dev.cronhook.core.queue.redis.Streams;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Reads the live log of a run or a build: a Redis stream of entries {@code t, stream, line}, closed by an entry
 * with {@code end} (the final status). Workers write it; this reads it back, whole or as it grows.
 */
public class RedisLiveLog implements LiveLog {
    private static final Scheduler FOLLOWERS = Schedulers.fromExecutorService(
            Executors.newThreadPerTaskExecutor(
                    Thread.ofVirtual().name("live-log-", 0).factory()),
            "live-log");

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> shared;

    public RedisLiveLog(RedisClient client, StatefulRedisConnection<String, String> shared) {
        this.client = client;
        this.shared = shared;
    }

    /** The stream a live log is. */
    static String stream(Source source) {
        return switch (source) {
            case Source.Run run -> Streams.runLog(run.runId());
            case Source.Build build -> Streams.buildLog(build.scriptId(), build.version());
        };
    }

    @Override
    public List<Entry> snapshot(Source source) {
        String stream = stream(source);
        var out = new ArrayList<Entry>();
        for (var m : shared.sync().xrange(stream, Range.create("-", "+"))) out.add(entry(m.getBody()));
        return out;
    }

    @Override
    public List<List<Entry>> snapshots(List<Source> sources) {
        var async = shared.async();
        var sent = sources.stream()
                .map(source -> async.xrange(stream(source), Range.create("-", "+")))
                .toList();
        var out = new ArrayList<List<Entry>>(sources.size());
        for (var reply : sent) {
            try {
                var entries = new ArrayList<Entry>();
                for (var m : reply.get()) entries.add(entry(m.getBody()));
                out.add(entries);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException("could not read a live log: " + e.getCause(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        return out;
    }

    /**
     * Follows a stream from its start until its end entry, or until {@code idleLimit} passes with nothing new
     * and {@code stillRunning} says the writer is gone. While the stream is still empty (or missing: a run that
     * prints nothing gets none), {@code stillRunning} is asked after every empty read, about once a second.
     * Blocking reads run on their own connection and their own virtual thread, so followers are not bounded by a
     * thread pool.
     */
    @Override
    public Flux<Entry> follow(Source source, Duration idleLimit, java.util.function.BooleanSupplier stillRunning) {
        String stream = stream(source);
        return Flux.<Entry>create(sink -> {
                    try (var connection = client.connect()) {
                        var redis = connection.sync();
                        String from = "0-0";
                        long idleSince = System.nanoTime();
                        while (!sink.isCancelled()) {
                            List<StreamMessage<String, String>> batch = redis.xread(
                                    XReadArgs.Builder.block(1000).count(500),
                                    XReadArgs.StreamOffset.from(stream, from));
                            if (batch.isEmpty()) {
                                boolean nothingYet = from.equals("0-0");
                                if ((nothingYet || System.nanoTime() - idleSince > idleLimit.toNanos())
                                        && !stillRunning.getAsBoolean()) {
                                    break;
                                }
                                continue;
                            }
                            idleSince = System.nanoTime();
                            for (var m : batch) {
                                from = m.getId();
                                var e = entry(m.getBody());
                                sink.next(e);
                                if (e.end() != null) {
                                    sink.complete();
                                    return;
                                }
                            }
                        }
                        sink.complete();
                    } catch (RuntimeException e) {
                        sink.error(e);
                    }
                })
                // requests go straight to the sink's buffer: by default subscribeOn hands each request(n) to the
                // worker that runs this loop, where it waited behind the loop until the log ended, and only the
                // first line (requested before the loop began) went out live
                .subscribeOn(FOLLOWERS, false);
    }

    static Entry entry(Map<String, String> body) {
        if (body.containsKey("end")) return new Entry(null, body.get("end"));
        long t;
        try {
            t = Long.parseLong(body.getOrDefault("t", "0"));
        } catch (NumberFormatException e) {
            t = 0;
        }
        return new Entry(
                new LogLine(
                        Instant.ofEpochMilli(t), body.getOrDefault("stream", "stdout"), body.getOrDefault("line", "")),
                null);
    }
}
