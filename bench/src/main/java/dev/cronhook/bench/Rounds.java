package dev.cronhook.bench;

import java.util.ArrayList;
import java.util.List;

/** Timed rounds of a micro-benchmark's loop, in one thread; round 0 warms the JIT up and is not reported. */
public final class Rounds {
    private Rounds() {}

    /** One batch of a benchmark's operations. */
    @FunctionalInterface
    public interface Batch {
        void run() throws Exception;
    }

    /**
     * Runs {@code batch}, which does {@code perBatch} operations, over and over for {@code seconds} a round, {@code
     * rounds} times after the warm-up round; returns the ns per operation of each reported round.
     */
    public static List<Double> nanosPerOperation(int seconds, int rounds, int perBatch, Batch batch) throws Exception {
        var nanos = new ArrayList<Double>(rounds);
        for (int round = 0; round <= rounds; round++) {
            long operations = 0;
            long start = System.nanoTime();
            long end = start + seconds * 1_000_000_000L;
            long now;
            do {
                batch.run();
                operations += perBatch;
            } while ((now = System.nanoTime()) < end);
            if (round > 0) nanos.add((now - start) / (double) operations);
        }
        return nanos;
    }

    /** Prints "what: median N ns per {@code unit}; rounds a b c ...". */
    public static void report(String what, String unit, List<Double> nanos) {
        var sorted = nanos.stream().sorted().toList();
        System.out.printf("%s: median %.0f ns per %s; rounds", what, sorted.get(sorted.size() / 2), unit);
        for (double n : nanos) System.out.printf(" %.0f", n);
        System.out.println();
    }
}
