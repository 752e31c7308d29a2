package dev.cronhook.executor.worker;

import dev.cronhook.core.log.LogLine;
import dev.cronhook.core.queue.QueueOptions;
import dev.cronhook.core.queue.QueueSpec;
import dev.cronhook.core.queue.Queues;
import dev.cronhook.core.queue.WorkQueue;
import dev.cronhook.core.run.DirectRuns;
import dev.cronhook.core.run.RunLedger;
import dev.cronhook.core.run.RunRequest;
import dev.cronhook.core.run.RunResult;
import dev.cronhook.core.run.RunSignals;
import dev.cronhook.core.run.RunStatus;
import dev.cronhook.core.secret.SecretsUnavailableException;
import dev.cronhook.executor.logs.LogShipper;
import dev.cronhook.executor.runtime.Cancellation;
import dev.cronhook.executor.runtime.Invocation;
import dev.cronhook.executor.runtime.LogSink;
import dev.cronhook.executor.runtime.LogStream;
import dev.cronhook.executor.runtime.Outcome;
import dev.cronhook.executor.runtime.ScriptRuntime;
import dev.cronhook.executor.secrets.RunSecretsResolver;
import dev.cronhook.executor.secrets.SecretMask;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes the run queue ({@link QueueSpec#RUNS}), runs each run through the {@link ScriptRuntime} once the
 * {@link RunLedger} lets it start, reports it RUNNING (once it has gone on for {@link Settings#runningAfter}), writes
 * its lines to its live log, then has the ledger publish its end, and acknowledges the delivery only after that. The
 * ledger finishes a run at most once, so a redelivered run is neither run nor published again. Cancellations arrive
 * through {@link RunSignals}.
 *
 * <p>Where the api runs in the same process it may hand a run over directly ({@link #tryTake}): the run skips the
 * queue and the ledger's start (a new run of a script without a concurrency limit has nothing there to decide), and
 * ends as every run does. Both kinds share one budget of {@link Settings#concurrency} runs at once ({@link RunSlots}):
 * they wait for a slot in one line, in order; a run handed over directly joins it only while it is short, and for a
 * second at most, else it goes on the queue.
 */
public final class RunWorker implements AutoCloseable, DirectRuns {
    private static final Logger log = LoggerFactory.getLogger(RunWorker.class);
    public static final String GROUP = QueueSpec.RUNS.group();
    /** How often the concurrency slots are swept while runs wait for one. */
    private static final long SWEEP_EVERY_MILLIS = 1000;
    /**
     * How often while no run waits anywhere: a run only waits after an executor's {@code begin} said so, and that
     * executor then sweeps every second; this bounds what a run left waiting by a dead executor waits more.
     */
    private static final long SWEEP_IDLE_MILLIS = 10_000;
    /**
     * How long a run handed over directly waits for a slot before it goes on the queue: long enough for the runs in
     * front of it to end when they are calls of milliseconds, far shorter than the run's hold in the backlog (its
     * timeout and two minutes by default), which must outlast the wait and the run.
     */
    static final Duration DIRECT_WAIT = Duration.ofSeconds(1);
    /** Ends the waits of direct runs that found no slot in time (one daemon thread, asleep while none waits). */
    private static final ScheduledThreadPoolExecutor WAIT_EXPIRY = waitExpiry();

    /**
     * How the worker consumes, how long its per-run keys live, and how long a run goes before it is reported
     * RUNNING (a run that ends sooner is reported once, when it ends, with its start time).
     */
    public record Settings(
            String consumerName,
            int concurrency,
            Duration visibilityTimeout,
            int maxDeliveries,
            Duration keyTtl,
            Duration runningAfter) {
        public static Settings named(String consumerName) {
            return new Settings(
                    consumerName, 16, Duration.ofSeconds(30), 3, Duration.ofDays(1), Duration.ofMillis(100));
        }

        public Settings withVisibilityTimeout(Duration timeout) {
            return new Settings(consumerName, concurrency, timeout, maxDeliveries, keyTtl, runningAfter);
        }

        public Settings withConcurrency(int n) {
            return new Settings(consumerName, n, visibilityTimeout, maxDeliveries, keyTtl, runningAfter);
        }

        public Settings withMaxDeliveries(int n) {
            return new Settings(consumerName, concurrency, visibilityTimeout, n, keyTtl, runningAfter);
        }

        public Settings withRunningAfter(Duration delay) {
            return new Settings(consumerName, concurrency, visibilityTimeout, maxDeliveries, keyTtl, delay);
        }
    }

    private final Queues queues;
    private final RunLedger ledger;
    private final RunSignals signals;
    private final LiveLogs liveLogs;
    private final ScriptRuntime runtime;
    private final Settings settings;
    private final RunSecretsResolver secrets;
    private final LogShipper shipper;
    private final Map<UUID, InHand> active = new ConcurrentHashMap<>();
    private final RunSlots slots;
    private volatile Consumer<RunResult> publishedHere = end -> {};
    private volatile WorkQueue<RunRequest> runQueue;
    private volatile Thread reportingRunning;
    /** Set while the reporting thread sleeps until the next sweep: a run that starts then wakes it. */
    private volatile boolean reporterIdle;
    /** Set when a run of this worker had to wait for a slot: the slots are swept every second again. */
    private volatile boolean waitingSeen;

    private static ScheduledThreadPoolExecutor waitExpiry() {
        var timer = new ScheduledThreadPoolExecutor(
                1, Thread.ofPlatform().name("direct-run-wait").daemon().factory());
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }

    /** A run this worker holds: how to cancel it, and when it started once it has (null before). */
    private static final class InHand {
        final Cancellation token = new Cancellation();
        /** Completes as the work for its delivery does (a second delivery of the run ends with it). */
        final CompletableFuture<Void> done = new CompletableFuture<>();

        volatile Instant started;
        boolean reported; // only the reporting thread reads and writes it
    }

    private volatile boolean stopping;
    private volatile Duration directWait = DIRECT_WAIT;
    private WorkQueue.Worker consumer;
    private AutoCloseable cancels;

    /**
     * A worker taking runs from {@code queues}' run queue, agreeing with the other executors through {@code ledger},
     * hearing cancellations through {@code signals} and writing each run's lines to {@code liveLogs}; with {@code
     * secrets} (null: runs get no secrets) and {@code shipper}, which also ships every log line to the log store
     * (null: the live log is the only copy, and the api archives it).
     */
    public RunWorker(
            Queues queues,
            RunLedger ledger,
            RunSignals signals,
            LiveLogs liveLogs,
            ScriptRuntime runtime,
            Settings settings,
            RunSecretsResolver secrets,
            LogShipper shipper) {
        this.queues = queues;
        this.ledger = ledger;
        this.signals = signals;
        this.liveLogs = liveLogs;
        this.runtime = runtime;
        this.settings = settings;
        this.secrets = secrets;
        this.shipper = shipper;
        this.slots = new RunSlots(settings.concurrency());
    }

    /**
     * Tells {@code listener} every end this worker publishes, as it is published (the api in this process wakes the
     * run's waiting caller with it, without waiting for the announcement to come back from Redis). Never blocks.
     */
    public RunWorker publishingTo(Consumer<RunResult> listener) {
        this.publishedHere = listener;
        return this;
    }

    public synchronized void start() {
        if (consumer != null) return;
        reportingRunning = Thread.ofVirtual().name("run-running-reports").start(this::reportRunningLoop);
        cancels = signals.onCancel(this::cancel);
        var options = QueueOptions.<RunRequest>defaults()
                .withConcurrency(settings.concurrency())
                .withVisibilityTimeout(settings.visibilityTimeout())
                .withMaxDeliveries(settings.maxDeliveries())
                .withDeadLetterHandler(this::abandon);
        runQueue = queues.open(QueueSpec.RUNS, options);
        consumer = runQueue.consumeAsync(settings.consumerName(), this::handle);
        log.info(
                "executor {} consuming {} (concurrency {})",
                settings.consumerName(),
                QueueSpec.RUNS.name(),
                settings.concurrency());
    }

    private void cancel(UUID runId) {
        var run = active.get(runId);
        if (run != null) run.token.cancel();
    }

    /**
     * Starts the work for one delivered run and returns at once: each step is a Redis call or an invocation whose
     * answer carries the next step, so a warm run holds no thread while it waits. The queue acknowledges the
     * delivery when the returned stage completes (after the run's end is published), and leaves it pending when it
     * fails.
     */
    CompletableFuture<Void> handle(WorkQueue.Delivery<RunRequest> delivery) {
        var request = delivery.message();
        UUID runId = request.runId();
        var inHand = new InHand();
        // registered before the check, so a cancel published after the check still reaches the token
        var prior = active.putIfAbsent(runId, inHand);
        if (prior != null) {
            // delivered again while this executor has it in hand (two messages for one run, or one reclaimed while
            // it runs here): the ledger cannot tell the two apart before the run ends, so this delivery runs
            // nothing, and is acknowledged, or left pending, with the first
            log.info("run {} is already in hand here; its second delivery waits for the first", runId);
            return prior.done;
        }
        CompletableFuture<Void> work;
        try {
            // its turn among the runs of this worker (those handed over directly too), then the ledger's say
            work = slots.take().thenCompose(turn -> begin(request, delivery, inHand));
        } catch (RuntimeException e) {
            work = CompletableFuture.failedFuture(e);
        }
        return work.whenComplete((ok, e) -> {
            active.remove(runId, inHand);
            if (e == null) inHand.done.complete(null);
            else inHand.done.completeExceptionally(e);
        });
    }

    /** With a slot taken: asks the ledger whether the run may start, and runs it if so; gives the slot back after. */
    private CompletableFuture<Void> begin(RunRequest request, WorkQueue.Delivery<RunRequest> delivery, InHand inHand) {
        UUID runId = request.runId();
        Instant started = Instant.now();
        CompletableFuture<Void> work;
        try {
            work = ledger.begin(request, delivery.id()).thenCompose(begun -> switch (begun) {
                case FINISHED -> {
                    log.info("run {} was already finished; not running it again", runId);
                    yield CompletableFuture.<Void>completedFuture(null);
                }
                case WAITING -> {
                    log.debug("run {} waits: its script runs {} at most at once", runId, request.maxConcurrency());
                    waitingSeen = true;
                    if (reporterIdle) LockSupport.unpark(reportingRunning);
                    yield CompletableFuture.<Void>completedFuture(null);
                }
                case CANCELLED ->
                    finish(
                            request,
                            new RunResult(
                                    runId,
                                    RunStatus.CANCELLED,
                                    null,
                                    null,
                                    "cancelled before it started",
                                    null,
                                    Instant.now()));
                case STARTED -> run(request, inHand, started);
            });
        } catch (RuntimeException e) {
            work = CompletableFuture.failedFuture(e);
        }
        return work.whenComplete((ok, e) -> slots.release());
    }

    /**
     * Runs a run the api in this process hands over without the queue, when there is room for it: not while this
     * worker is stopped or stopping, not for a script with a concurrency limit (the ledger keeps those), and only when
     * one of its slots is free with no run waiting for one, or the line of runs waiting for a slot is shorter than
     * the slots; a run that joins the line and has no slot within {@link #DIRECT_WAIT} goes on the queue. Waiting
     * here costs a caller nothing the queue would not (the run waits for a slot of this worker there too, behind the
     * same runs), and spares it the queue's round trips. The run is recorded and held by then (its hold outlasts the
     * wait: it runs for the run's timeout and minutes more); a run this worker cannot finish (it stops meanwhile, or
     * the end cannot be published) goes on the queue for another executor, and failing that is left to the
     * queued-run sweep, which finds it once its hold runs out.
     */
    @Override
    public boolean tryTake(RunRequest request) {
        if (consumer == null || stopping || request.maxConcurrency() > 0) return false;
        var turn = slots.tryJoin(settings.concurrency());
        if (turn == null) return false;
        UUID runId = request.runId();
        var inHand = new InHand();
        if (active.putIfAbsent(runId, inHand) != null) {
            if (!slots.withdraw(turn)) slots.release();
            return false;
        }
        if (!turn.isDone()) {
            var expiry = WAIT_EXPIRY.schedule(
                    () -> {
                        if (slots.withdraw(turn)) turn.completeExceptionally(new NoSlotInTimeException(runId));
                    },
                    directWait.toNanos(),
                    TimeUnit.NANOSECONDS);
            turn.whenComplete((slot, e) -> expiry.cancel(false));
        }
        // the slot is this run's only once its turn came: a turn that expired took none
        CompletableFuture<Void> work = turn.thenCompose(slot -> {
            CompletableFuture<Void> running;
            try {
                running = stopping
                        ? CompletableFuture.failedFuture(new RunHandedBackException(runId))
                        : run(request, inHand, Instant.now());
            } catch (RuntimeException e) {
                running = CompletableFuture.failedFuture(e);
            }
            return running.whenComplete((ok, e) -> slots.release());
        });
        work.whenComplete((ok, e) -> {
            active.remove(runId, inHand);
            if (e == null) {
                inHand.done.complete(null);
            } else {
                inHand.done.completeExceptionally(e);
                // queueing is a blocking call, and this may be a Redis client's event loop: off it
                ScriptRuntime.BLOCKING_RUNS.execute(() -> handBack(request, e));
            }
        });
        return true;
    }

    /** Sets how long a run handed over directly waits for a slot before it goes on the queue ({@link #DIRECT_WAIT}). */
    RunWorker withDirectWait(Duration wait) {
        this.directWait = wait;
        return this;
    }

    /** A direct run this worker did not finish goes on the run queue, as a queued run would stay on it. */
    private void handBack(RunRequest request, Throwable failure) {
        var cause = failure instanceof java.util.concurrent.CompletionException c && c.getCause() != null
                ? c.getCause()
                : failure;
        if (cause instanceof RunHandedBackException) {
            log.info("run {} handed back to the run queue: this executor is stopping", request.runId());
        } else if (cause instanceof NoSlotInTimeException) {
            log.debug("run {} (handed over directly) found no free slot in time, queueing it", request.runId());
        } else {
            log.warn("run {} (taken directly) did not finish here, queueing it: {}", request.runId(), cause.toString());
        }
        try {
            runQueue.enqueue(request);
        } catch (RuntimeException e) {
            log.warn(
                    "run {} could not be queued again; the queued-run sweep queues it once its hold runs out: {}",
                    request.runId(),
                    e.toString());
        }
    }

    /** Runs a run that may start: its secrets, the invocation, its logs, its end. */
    private CompletableFuture<Void> run(RunRequest request, InHand inHand, Instant started) {
        UUID runId = request.runId();
        // secrets are fetched (from the api or Infisical) only for a run that has a token for them
        CompletableFuture<Map<String, String>> env = secrets == null || request.secretsToken() == null
                ? CompletableFuture.completedFuture(Map.of())
                : CompletableFuture.supplyAsync(() -> secrets.resolve(request), ScriptRuntime.BLOCKING_RUNS);
        return env.handle((values, e) -> e).thenCompose(failure -> {
            var cause = failure instanceof java.util.concurrent.CompletionException ce ? ce.getCause() : failure;
            if (cause instanceof SecretsUnavailableException unavailable) {
                return finish(
                        request,
                        new RunResult(
                                runId, RunStatus.FAILED, null, null, unavailable.getMessage(), started, Instant.now()));
            }
            if (cause != null) return CompletableFuture.failedFuture(cause);
            return invoke(request, inHand, started, env.join());
        });
    }

    private CompletableFuture<Void> invoke(
            RunRequest request, InHand inHand, Instant started, Map<String, String> env) {
        UUID runId = request.runId();
        // most runs end within milliseconds: those are reported once, when they end (reportRunningLoop)
        inHand.started = started;
        if (reporterIdle) LockSupport.unpark(reportingRunning);
        var mask = SecretMask.of(env.values());
        var logs = liveLogs.open(runId);
        String logId = "run/" + runId;
        LogSink sink = (time, stream, line) -> {
            String masked = mask.apply(line);
            logs.line(time, stream, masked);
            if (shipper != null) shipper.offer(logId, new LogLine(time, stream.wireName(), masked));
        };
        return runtime.runAsync(Invocation.of(request, env, inHand.token), sink).thenCompose(outcome -> {
            if (stopping && outcome.status() == RunStatus.CANCELLED) {
                // killed because this executor is stopping, or by a user? (a Redis call: off this thread)
                return CompletableFuture.supplyAsync(() -> cancelRequested(runId), ScriptRuntime.BLOCKING_RUNS)
                        .thenCompose(byUser -> byUser
                                ? ended(request, outcome, started, mask, logs, logId)
                                : CompletableFuture.failedFuture(new RunHandedBackException(runId)));
            }
            if (shipper != null) {
                // the log store may be slow or down: waiting for it is not for the thread that read the result
                return CompletableFuture.supplyAsync(
                                () -> {
                                    shipLogs(logs, logId);
                                    return null;
                                },
                                ScriptRuntime.BLOCKING_RUNS)
                        .thenCompose(shipped -> ended(request, outcome, started, mask, logs, logId));
            }
            return ended(request, outcome, started, mask, logs, logId);
        });
    }

    /** Waits (bounded) for the log store to take the run's lines, and notes in the live log how many it lost. */
    private void shipLogs(LiveLogs.Writer logs, String logId) {
        shipper.flush(logId, Duration.ofSeconds(5));
        long lost = shipper.lost(logId);
        shipper.forget(logId);
        if (lost > 0) {
            logs.line(
                    Instant.now(),
                    LogStream.STDERR,
                    "[cronhook] " + lost + " log lines of this run could not be stored: the log store was"
                            + " unavailable (the live log above has them)");
        }
    }

    /** Publishes the run's end once its live log lines are all in Redis. */
    private CompletableFuture<Void> ended(
            RunRequest request, Outcome outcome, Instant started, SecretMask mask, LiveLogs.Writer logs, String logId) {
        return logs.flushAsync()
                .thenCompose(flushed -> finish(
                        request,
                        new RunResult(
                                request.runId(),
                                outcome.status(),
                                mask.apply(outcome.resultJson()),
                                mask.apply(outcome.reply()),
                                mask.apply(outcome.error()),
                                started,
                                Instant.now())));
    }

    /**
     * Reports RUNNING for the runs in hand that started at least {@code runningAfter} ago (one thread looking now
     * and then costs less than a timer per run, and a report that comes late by that much is fine), and sweeps the
     * concurrency slots: every second while runs wait for one, every {@value #SWEEP_IDLE_MILLIS} ms while none do.
     * With no started run left to report it sleeps until the next sweep, and a run that starts or has to wait
     * meanwhile wakes it ({@link #invoke}, {@link #handle}): an idle executor wakes once in ten seconds, not every
     * {@code runningAfter / 2}.
     */
    private void reportRunningLoop() {
        long every = Math.clamp(settings.runningAfter().toMillis() / 2, 10, 1000);
        long lastSweep = 0;
        long sweepEvery = SWEEP_EVERY_MILLIS;
        while (!Thread.currentThread().isInterrupted()) {
            long now = System.currentTimeMillis();
            if (waitingSeen) sweepEvery = SWEEP_EVERY_MILLIS;
            if (now - lastSweep >= sweepEvery) {
                lastSweep = now;
                // cleared before the sweep: a run that waits after this is seen by the next turn
                waitingSeen = false;
                sweepEvery = sweep() > 0 ? SWEEP_EVERY_MILLIS : SWEEP_IDLE_MILLIS;
            }
            var due = Instant.now().minus(settings.runningAfter());
            active.forEach((runId, run) -> {
                var started = run.started;
                if (started != null && !run.reported && !started.isAfter(due)) {
                    run.reported = true;
                    reportRunning(runId, started);
                }
            });
            long sleep = every;
            if (!anyToReport()) {
                reporterIdle = true;
                // looked at again after the flag is up: a run started before it was up is seen here, one started
                // after it sees the flag and wakes this thread (both fields volatile)
                if (!anyToReport() && !waitingSeen)
                    sleep = Math.max(1, lastSweep + sweepEvery - System.currentTimeMillis());
            }
            LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(sleep));
            reporterIdle = false;
        }
    }

    /** Whether a run in hand has started and is not reported RUNNING yet. */
    private boolean anyToReport() {
        for (var run : active.values()) {
            if (run.started != null && !run.reported) return true;
        }
        return false;
    }

    /**
     * Lets runs waiting for a concurrency slot go where an executor that died left its slots to expire; returns how
     * many scripts have runs waiting (1 when the sweep failed, so that it is tried again within a second).
     */
    private long sweep() {
        try {
            return ledger.sweep();
        } catch (RuntimeException e) {
            log.debug("sweeping the concurrency slots failed: {}", e.toString());
            return 1;
        }
    }

    /** RUNNING, best effort: a report that comes after the final one changes nothing (the api ignores it). */
    private void reportRunning(UUID runId, Instant started) {
        try {
            ledger.running(runId, started);
        } catch (RuntimeException e) {
            log.debug("run {}: RUNNING not reported: {}", runId, e.toString());
        }
    }

    private boolean cancelRequested(UUID runId) {
        return signals.cancelled(runId);
    }

    private CompletableFuture<Void> finish(RunRequest request, RunResult result) {
        return ledger.finish(request, result).thenAccept(published -> {
            if (!published) {
                log.info("run {} was finished by another executor; dropping this result", result.runId());
                return;
            }
            try {
                publishedHere.accept(result);
            } catch (RuntimeException e) {
                // the announcement wakes the caller a moment later
                log.debug("run {}: its end was not told here: {}", result.runId(), e.toString());
            }
        });
    }

    /** A request that kept killing its executors: its run fails with the reason. */
    private void abandon(RunRequest request, String reason) {
        try {
            finish(
                            request,
                            new RunResult(
                                    request.runId(),
                                    RunStatus.FAILED,
                                    null,
                                    null,
                                    "the run was abandoned: " + reason,
                                    null,
                                    Instant.now()))
                    .join();
        } catch (java.util.concurrent.CompletionException e) {
            // the dead-letter handler's caller keeps the message pending when this throws
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw e;
        }
    }

    /** Runs in hand right now. */
    public int inFlight() {
        return active.size();
    }

    /**
     * Stops taking runs, waits (bounded) for the ones in hand, then kills the rest and leaves them pending for
     * another executor.
     */
    @Override
    public synchronized void close() {
        if (consumer == null) return;
        var c = consumer;
        consumer = null;
        c.close();
        stopping = true;
        active.values().forEach(run -> run.token.cancel());
        if (cancels != null) {
            try {
                cancels.close();
            } catch (Exception e) {
                log.debug("closing the cancel signals failed: {}", e.toString());
            }
        }
        reportingRunning.interrupt();
    }

    /** Ends the wait of a run handed over directly that found no slot in time: it goes on the queue. */
    static final class NoSlotInTimeException extends RuntimeException {
        NoSlotInTimeException(UUID runId) {
            super("run " + runId + " found no free slot in time", null, false, false);
        }
    }

    /** Thrown to leave a run pending when this executor stops in the middle of it. */
    static final class RunHandedBackException extends RuntimeException {
        RunHandedBackException(UUID runId) {
            super("run " + runId + " handed back: the executor is stopping");
        }
    }
}
