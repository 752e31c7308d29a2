package dev.cronhook.api.db;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Runs blocking work (JDBC, Redis sync calls) on virtual threads, never on the event loop. Work once started is
 * never interrupted: a caller that goes away (a webhook client hanging up) must not cut a JDBC statement or a
 * queue append in half, which would break the pooled connection and could leave a run half-accepted.
 */
public final class Blocking {
    private static final ExecutorService THREADS = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("blocking-", 0).factory());
    // a plain Executor: Reactor interrupts the thread of a cancelled task when it is given an ExecutorService
    private static final Scheduler VIRTUAL = Schedulers.fromExecutor(task -> THREADS.execute(task));

    private Blocking() {}

    public static <T> Mono<T> call(Callable<T> work) {
        return Mono.fromCallable(work).subscribeOn(VIRTUAL);
    }

    public static Mono<Void> run(Runnable work) {
        return Mono.<Void>fromRunnable(work).subscribeOn(VIRTUAL);
    }

    /** Runs blocking work on a virtual thread; the future completes with its result. */
    public static <T> java.util.concurrent.CompletableFuture<T> supply(java.util.function.Supplier<T> work) {
        return java.util.concurrent.CompletableFuture.supplyAsync(work, THREADS);
    }
}
