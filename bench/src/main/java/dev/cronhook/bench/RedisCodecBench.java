package dev.cronhook.bench;

import dev.cronhook.core.queue.redis.Utf8Codec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.protocol.CommandArgs;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
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

    public static void main(String[] args) {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        System.out.printf(
                "a command of 8 keys and 3 values, %d rounds of %d s, %s%n", rounds, seconds, Runtime.version());
        report("StringCodec.UTF8", measure(StringCodec.UTF8, seconds, rounds));
        report("Utf8Codec", measure(Utf8Codec.INSTANCE, seconds, rounds));
    }

    private static List<Double> measure(RedisCodec<String, String> codec, int seconds, int rounds) {
        var buffer = PooledByteBufAllocator.DEFAULT.directBuffer(4096);
        try {
            var nanosPerCommand = new ArrayList<Double>();
            // round 0 warms the JIT up and is not reported
            for (int round = 0; round <= rounds; round++) {
                long commands = 0;
                long start = System.nanoTime();
                long end = start + seconds * 1_000_000_000L;
                long now;
                do {
                    for (int i = 0; i < 1000; i++) {
                        buffer.clear();
                        var command = new CommandArgs<>(codec);
                        for (int k = 0; k < 8; k++) command.addKey(KEY);
                        command.addValue(RESULT)
                                .addValue("86400")
                                .addValue("SUCCEEDED")
                                .encode(buffer);
                    }
                    commands += 1000;
                } while ((now = System.nanoTime()) < end);
                if (round > 0) nanosPerCommand.add((now - start) / (double) commands);
            }
            return nanosPerCommand;
        } finally {
            buffer.release();
        }
    }

    private static void report(String name, List<Double> nanos) {
        var sorted = nanos.stream().sorted().toList();
        System.out.printf(
                "%-18s %s ns per command, median %.0f%n",
                name, nanos.stream().map(n -> String.format("%.0f", n)).toList(), sorted.get(sorted.size() / 2));
    }
}
