package dev.cronhook.bench.run;

import dev.cronhook.executor.warm.WarmPool;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
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
        report("every call finds its key's idle sandbox", measure(keys, keys, seconds, rounds));
        report(
                "a fifth more keys than the pool keeps (each call starts one, each release evicts one)",
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
            var nanosPerCall = new ArrayList<Double>();
            int key = 0;
            // round 0 warms the JIT up and is not reported
            for (int round = 0; round <= rounds; round++) {
                long calls = 0;
                long start = System.nanoTime();
                long end = start + seconds * 1_000_000_000L;
                long now;
                do {
                    for (int i = 0; i < 1000; i++) {
                        pool.acquire(key, Object::new).release(true);
                        if (++key == keys) key = 0;
                    }
                    calls += 1000;
                } while ((now = System.nanoTime()) < end);
                if (round > 0) nanosPerCall.add((now - start) / (double) calls);
            }
            return nanosPerCall;
        }
    }

    private static void report(String what, List<Double> nanosPerCall) {
        var sorted = new ArrayList<>(nanosPerCall);
        Collections.sort(sorted);
        System.out.printf("%s: median %.0f ns per call; rounds", what, sorted.get(sorted.size() / 2));
        for (double n : nanosPerCall) System.out.printf(" %.0f", n);
        System.out.println();
    }
}
