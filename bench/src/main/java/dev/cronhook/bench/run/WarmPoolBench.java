package dev.cronhook.bench.run;

import dev.cronhook.bench.Rounds;
import dev.cronhook.executor.warm.WarmPool;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * What the warm pool itself costs a call (one acquire and one release, nothing started or run) with many keys warm:
 * with one idle sandbox for each of {@code keys} keys, called round-robin (every call finds its key's sandbox), and
 * with a fifth more keys than the pool keeps (every call starts one and every release evicts one). One thread,
 * sandboxes are plain objects; the figure is the pool's bookkeeping under its lock, in ns per call, per round and the
 * median. Arguments: keys (1000), seconds per round (3), rounds (5).
 */
public final class WarmPoolBench {
    private WarmPoolBench() {}

    public static void main(String[] args) throws Exception {
        int keys = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        System.out.printf("warm pool, %d keys, %d rounds of %d s, %s%n", keys, rounds, seconds, Runtime.version());
        Rounds.report("every call finds its key's idle sandbox", "call", measure(keys, keys, seconds, rounds));
        Rounds.report(
                "a fifth more keys than the pool keeps (each call starts one, each release evicts one)",
                "call",
                measure(keys + keys / 5, keys, seconds, rounds));
    }

    private static List<Double> measure(int keys, int maxIdle, int seconds, int rounds) throws Exception {
        try (var pool = new WarmPool<Integer, Object>(
                maxIdle,
                Duration.ofHours(1),
                4,
                4,
                sandbox -> {},
                key -> false,
                Clock.systemUTC(),
                sandbox -> 1,
                Long.MAX_VALUE,
                WarmPool.BusyStart.NONE)) {
            for (int key = 0; key < keys; key++) pool.acquire(key, Object::new).release(true);
            var key = new int[1];
            return Rounds.nanosPerOperation(seconds, rounds, 1000, () -> {
                for (int i = 0; i < 1000; i++) {
                    pool.acquire(key[0], Object::new).release(true);
                    if (++key[0] == keys) key[0] = 0;
                }
            });
        }
    }
}
