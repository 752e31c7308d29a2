package dev.cronhook.core.queue.redis;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * A Lua script that Redis runs by its digest (EVALSHA), sent whole only when Redis does not know it (its script
 * cache is empty after a restart). Thread-safe.
 */
public record RedisScript(String source, String sha, ScriptOutputType type) {

    public static RedisScript of(String source, ScriptOutputType type) {
        try {
            var digest = MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8));
            return new RedisScript(source, HexFormat.of().formatHex(digest), type);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sends the script by its digest without waiting; {@link #await} its answer. */
    public <R> RedisFuture<R> send(StatefulRedisConnection<String, String> redis, String[] keys, String... args) {
        return redis.async().evalsha(sha, type, keys, args);
    }

    /** The answer of a {@link #send}, sending the script whole once if Redis did not know its digest. */
    public <R> R await(
            RedisFuture<R> sent, StatefulRedisConnection<String, String> redis, String[] keys, String... args) {
        try {
            try {
                // no timeout of our own: the connection's command timeout ends a lost call
                return sent.get();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof RedisNoScriptException)) throw e;
                return redis.async().<R>eval(source, type, keys, args).get();
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Redis", e);
        }
    }

    /** Runs the script without waiting for its answer (sent whole once if Redis did not know its digest). */
    public <R> CompletableFuture<R> callAsync(
            StatefulRedisConnection<String, String> redis, String[] keys, String... args) {
        RedisFuture<R> sent = redis.async().evalsha(sha, type, keys, args);
        return sent.toCompletableFuture().exceptionallyCompose(e -> {
            var cause = e instanceof CompletionException ce ? ce.getCause() : e;
            if (cause instanceof RedisNoScriptException) {
                return redis.async().<R>eval(source, type, keys, args).toCompletableFuture();
            }
            return CompletableFuture.failedFuture(cause);
        });
    }

    /** Runs the script and waits for its answer. */
    public <R> R call(StatefulRedisConnection<String, String> redis, String[] keys, String... args) {
        return await(send(redis, keys, args), redis, keys, args);
    }
}
