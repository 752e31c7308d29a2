package dev.cronhook.api.run;

import dev.cronhook.api.db.Batcher;
import dev.cronhook.api.error.RateLimitedException;
import dev.cronhook.api.error.ServiceUnavailableException;
import dev.cronhook.core.queue.WorkQueue;
import dev.cronhook.core.run.Admission;
import dev.cronhook.core.run.DirectRuns;
import dev.cronhook.core.run.RunBacklog;
import dev.cronhook.core.run.RunRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts runs durably and hands them to the executors: a run's row is inserted (QUEUED) while its rate limit is
 * checked, then its request queued; a run over its limit, or whose request the queue does not take, is deleted again,
 * so a caller told "accepted" has a run that an executor will get, and one told "not accepted" left nothing behind
 * (nothing runs before both the row and the rate check are in). Runs launched
 * at about the same time share one round of rate checks, one INSERT and one round of queue appends ({@link
 * Batcher}), so the cost per run falls as the load rises.
 *
 * <p>A run someone waits for ({@link NewLaunch#direct}) goes to an executor in this process without the queue when
 * there is one with room ({@link DirectRuns}): its hold in the backlog ({@link RunBacklog#hold}, sent with the rate
 * checks, in the same round) traces it instead of the queue, so a process that dies holding it leaves it to the
 * queued-run sweep, as one that died between the INSERT and the queue does.
 */
public class RunLauncher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RunLauncher.class);

    /** At most {@code perSecond} runs of the script counted in the wall-clock {@code second}. */
    public record RateLimit(UUID scriptId, long second, int perSecond) {
        String key() {
            return scriptId + ":" + second;
        }
    }

    /**
     * A run to accept: its row, the request an executor gets, its rate limit (null: none), and whether it may go to an
     * executor in this process directly (a caller waits for it).
     */
    public record NewLaunch(RunRepository.NewRun row, RunRequest request, RateLimit limit, boolean direct) {}

    /** What became of one run in a batch: accepted (null) or the problem that kept it out. */
    private record Verdict(RuntimeException refusal) {}

    private static final Verdict ACCEPTED = new Verdict(null);

    private final RunRepository runs;
    private final WorkQueue<RunRequest> queue;
    private final Admission admission;
    private final RunBacklog backlog;
    private final Supplier<DirectRuns> direct;
    private final Duration holdSlack;
    private final Batcher<NewLaunch, Verdict> batcher;

    /** Limit keys (a script's second) seen over their limit here, by their second; pruned as seconds pass. */
    private final Map<String, Long> overLimit = new ConcurrentHashMap<>();

    /**
     * {@code direct}: the executor in this process that takes runs directly, asked on the first batch that has such
     * a run (null, or a supplier of null: none; every run is queued); {@code holdSlack}: how long past its timeout
     * such a run stays held (its start, a cold one and its secrets, and its end), after which a run whose process
     * died is the sweep's.
     */
    public RunLauncher(
            RunRepository runs,
            WorkQueue<RunRequest> queue,
            Admission admission,
            RunBacklog backlog,
            Supplier<DirectRuns> direct,
            Duration holdSlack,
            int lanes,
            int maxBatch) {
        this.runs = runs;
        this.queue = queue;
        this.admission = admission;
        this.backlog = backlog;
        this.holdSlack = holdSlack;
        this.direct = direct == null ? () -> null : memoized(direct);
        this.batcher = new Batcher<>("run-launcher", lanes, maxBatch, this::accept);
    }

    private static Supplier<DirectRuns> memoized(Supplier<DirectRuns> supplier) {
        var found = new java.util.concurrent.atomic.AtomicReference<Optional<DirectRuns>>();
        return () -> {
            var known = found.get();
            if (known == null) {
                known = Optional.ofNullable(supplier.get());
                found.set(known);
            }
            return known.orElse(null);
        };
    }

    /**
     * Accepts one run; the future fails with the problem when it was not accepted ({@link RateLimitedException},
     * {@link ServiceUnavailableException}).
     */
    public CompletableFuture<RunRequest> launch(NewLaunch launch) {
        return batcher.submit(launch).thenApply(verdict -> accepted(launch, verdict));
    }

    /** Accepts runs together; one future per run, as {@link #launch}. */
    public List<CompletableFuture<RunRequest>> launchAll(List<NewLaunch> launches) {
        var futures = batcher.submitAll(launches);
        var out = new ArrayList<CompletableFuture<RunRequest>>(futures.size());
        for (int i = 0; i < futures.size(); i++) {
            var launch = launches.get(i);
            out.add(futures.get(i).thenApply(verdict -> accepted(launch, verdict)));
        }
        return out;
    }

    private static RunRequest accepted(NewLaunch launch, Verdict verdict) {
        if (verdict.refusal() != null) throw verdict.refusal();
        return launch.request();
    }

    /**
     * One batch: the rate checks (and the holds of the runs that may go directly) sent, the rows inserted in one
     * INSERT while they travel, then the direct runs handed over and the others' requests queued in one round; the
     * rows of runs over their limit (and of runs the queue did not take) deleted again in one statement. A run of a
     * script and second this process already saw over its limit is refused before any of it: a flood over a limit
     * costs no round trip and no row after its first batch.
     */
    private List<Verdict> accept(List<NewLaunch> launches) {
        var verdicts = new ArrayList<Verdict>(Collections.nCopies(launches.size(), ACCEPTED));
        var open = new ArrayList<NewLaunch>(launches.size());
        var openAt = new ArrayList<Integer>(launches.size());
        if (!overLimit.isEmpty()) {
            long now = System.currentTimeMillis() / 1000;
            overLimit.values().removeIf(second -> second < now - 1);
        }
        for (int i = 0; i < launches.size(); i++) {
            var limit = launches.get(i).limit();
            if (limit != null && overLimit.containsKey(limit.key())) {
                verdicts.set(i, rateLimited(limit));
            } else {
                open.add(launches.get(i));
                openAt.add(i);
            }
        }
        if (open.isEmpty()) return verdicts;
        // asked only for runs that may go directly: those come from sync webhooks, served once the context is up
        var here = open.stream().anyMatch(RunLauncher::mayGoDirectly) ? direct.get() : null;
        var holds = here == null ? null : holds(open);
        var counted = count(open);
        // a store refusing at once (down, disconnected) costs no row written and deleted again
        if (counted != null && counted.totals().isCompletedExceptionally()) throw rateUnchecked();
        try {
            runs.insertAll(open.stream().map(NewLaunch::row).toList());
        } catch (RuntimeException e) {
            throw new ServiceUnavailableException(
                    "the run could not be recorded in the database, it was not accepted; retry later ("
                            + e.getClass().getSimpleName() + ")");
        }
        List<Boolean> within;
        try {
            within = withinLimits(open, counted);
        } catch (ServiceUnavailableException e) {
            delete(open.stream().map(launch -> launch.row().id()).toList());
            throw e;
        }
        var taken = new ArrayList<NewLaunch>(open.size());
        var toDelete = new ArrayList<UUID>();
        for (int j = 0; j < open.size(); j++) {
            var launch = open.get(j);
            if (within.get(j)) {
                taken.add(launch);
            } else {
                verdicts.set(openAt.get(j), rateLimited(launch.limit()));
                overLimit.put(launch.limit().key(), launch.limit().second());
                toDelete.add(launch.row().id());
            }
        }
        var toQueue = holds == null || taken.isEmpty() ? taken : handOver(here, holds, taken);
        List<Optional<String>> ids = toQueue.isEmpty()
                ? List.of()
                : queue.enqueueAll(toQueue.stream().map(NewLaunch::request).toList());
        var notQueued = new ArrayList<UUID>();
        for (int i = 0; i < toQueue.size(); i++) {
            if (ids.get(i).isEmpty()) notQueued.add(toQueue.get(i).row().id());
        }
        toDelete.addAll(notQueued);
        delete(toDelete);
        if (notQueued.isEmpty()) return verdicts;
        var refusal =
                new ServiceUnavailableException("the run queue is unavailable, the run was not accepted; retry later");
        for (int i = 0; i < launches.size(); i++) {
            if (notQueued.contains(launches.get(i).row().id())) verdicts.set(i, new Verdict(refusal));
        }
        return verdicts;
    }

    private static Verdict rateLimited(RateLimit limit) {
        return new Verdict(new RateLimitedException(limit.perSecond(), 1));
    }

    /** Deletes the rows of runs recorded and then not accepted. */
    private void delete(List<UUID> notAccepted) {
        if (notAccepted.isEmpty()) return;
        try {
            runs.deleteQueued(notAccepted);
        } catch (RuntimeException e) {
            // rare: the database failing just after it took the rows; they stay QUEUED with no request behind them
            log.error("{} runs were not accepted and could not be removed again: {}", notAccepted.size(), e.toString());
        }
    }

    /**
     * Sends the holds of the batch's runs that may go directly, without waiting (the rate checks follow them in the
     * same round); null when none may. A run refused after this leaves a hold that runs out by itself.
     */
    private CompletableFuture<Void> holds(List<NewLaunch> launches) {
        var leases = new LinkedHashMap<UUID, Duration>();
        for (var launch : launches) {
            if (mayGoDirectly(launch)) {
                leases.put(
                        launch.row().id(),
                        Duration.ofSeconds(launch.request().timeoutSeconds()).plus(holdSlack));
            }
        }
        if (leases.isEmpty()) return null;
        try {
            return backlog.hold(leases);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static boolean mayGoDirectly(NewLaunch launch) {
        return launch.direct() && launch.request().maxConcurrency() <= 0;
    }

    /**
     * Hands the recorded runs that may go directly to the executor here, once their holds are stored; returns the
     * runs to queue (all of them when the holds were not stored: without one a run must be in the queue).
     */
    private List<NewLaunch> handOver(DirectRuns here, CompletableFuture<Void> holds, List<NewLaunch> taken) {
        try {
            holds.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return taken;
        } catch (ExecutionException | TimeoutException e) {
            log.debug("runs not held for a direct start, queueing them: {}", e.toString());
            return taken;
        }
        var toQueue = new ArrayList<NewLaunch>(taken.size());
        for (var launch : taken) {
            boolean took;
            try {
                took = mayGoDirectly(launch) && here.tryTake(launch.request());
            } catch (RuntimeException e) {
                log.warn(
                        "run {} not taken directly, queueing it: {}",
                        launch.row().id(),
                        e.toString());
                took = false;
            }
            if (!took) toQueue.add(launch);
        }
        return toQueue;
    }

    /**
     * The counts sent for a batch: its runs (their indexes) by their limit's key, in the batch's order, and each key's
     * total in its second with them, in the same order.
     */
    private record Counting(LinkedHashMap<String, List<Integer>> byKey, CompletableFuture<List<Long>> totals) {}

    /**
     * Sends the counts of the rate-limited runs of a batch in one pipelined round, one count per limit key however
     * many runs share it (a busy webhook's calls in a batch mostly do), without waiting ({@link #withinLimits} reads
     * them); null when no run of the batch has a limit.
     */
    private Counting count(List<NewLaunch> launches) {
        var byKey = new LinkedHashMap<String, List<Integer>>();
        for (int i = 0; i < launches.size(); i++) {
            var limit = launches.get(i).limit();
            if (limit != null)
                byKey.computeIfAbsent(limit.key(), k -> new ArrayList<>()).add(i);
        }
        if (byKey.isEmpty()) return null;
        var calls = new ArrayList<Admission.Calls>(byKey.size());
        for (var members : byKey.values()) {
            var limit = launches.get(members.getFirst()).limit();
            calls.add(new Admission.Calls(limit.scriptId(), limit.second(), members.size()));
        }
        CompletableFuture<List<Long>> totals;
        try {
            totals = admission.count(calls);
        } catch (RuntimeException e) {
            totals = CompletableFuture.failedFuture(e);
        }
        return new Counting(byKey, totals);
    }

    /**
     * True for a run of the batch within its limit, by the counts {@link #count} sent. Runs are counted in the
     * batch's order, so the first ones of a key are the ones let in, as if they had been counted one by one.
     */
    private List<Boolean> withinLimits(List<NewLaunch> launches, Counting counted) {
        var within = new ArrayList<Boolean>(Collections.nCopies(launches.size(), true));
        if (counted == null) return within;
        List<Long> totals;
        try {
            totals = counted.totals().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw rateUnchecked();
        } catch (ExecutionException | TimeoutException e) {
            throw rateUnchecked();
        }
        int g = 0;
        for (var members : counted.byKey().values()) {
            long before = totals.get(g++) - members.size();
            for (int j = 0; j < members.size(); j++) {
                int perSecond = launches.get(members.get(j)).limit().perSecond();
                within.set(members.get(j), before + j + 1 <= perSecond);
            }
        }
        return within;
    }

    private static ServiceUnavailableException rateUnchecked() {
        return new ServiceUnavailableException(
                "the rate limit could not be checked, the run was not accepted; retry later");
    }

    @Override
    public void close() {
        batcher.close();
    }
}
