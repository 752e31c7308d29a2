package dev.cronhook.bench;

import dev.cronhook.core.queue.redis.Utf8Codec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.protocol.CommandArgs;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.List;

/**
 * What encoding a command's arguments costs with lettuce's {@code StringCodec.UTF8} and with {@link Utf8Codec}: the
 * arguments of the run ledger's finish script (8 keys of a run, its result's JSON and two short values) written into
 * a pooled direct buffer, as lettuce writes them to the connection. One thread, in ns per command, per round and the
 * median. Arguments: seconds per round (3), rounds (5).
 */
public final class RedisCodecBench {
    private static final String KEY = "cronhook:finished:3e989417-d207-4bd2-8450-e18d14290382";
    private static final String RESULT = "{\"runId\":\"3e989417-d207-4bd2-8450-e18d14290382\",\"status\":\"SUCCEEDED\","
            + "\"resultJson\":\"{\\\"hello\\\":\\\"world\\\"}\",\"reply\":null,\"error\":null,"
            + "\"startedAt\":\"2026-12-08T00:40:01.123456Z\",\"finishedAt\":\"2026-12-08T00:40:01.124456Z\"}";

    private RedisCodecBench() {}

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        System.out.printf(
                "a command of 8 keys and 3 values, %d rounds of %d s, %s%n", rounds, seconds, Runtime.version());
        Rounds.report("StringCodec.UTF8", "command", measure(StringCodec.UTF8, seconds, rounds));
        Rounds.report("Utf8Codec", "command", measure(Utf8Codec.INSTANCE, seconds, rounds));
    }

    private static List<Double> measure(RedisCodec<String, String> codec, int seconds, int rounds) throws Exception {
        var buffer = PooledByteBufAllocator.DEFAULT.directBuffer(4096);
        try {
            return Rounds.nanosPerOperation(seconds, rounds, 1000, () -> {
                for (int i = 0; i < 1000; i++) {
                    buffer.clear();
                    var command = new CommandArgs<>(codec);
                    for (int k = 0; k < 8; k++) command.addKey(KEY);
                    command.addValue(RESULT)
                            .addValue("86400")
                            .addValue("SUCCEEDED")
                            .encode(buffer);
                }
            });
        } finally {
            buffer.release();
        }
    }
}
