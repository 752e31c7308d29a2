package dev.cronhook.builder.worker;

import dev.cronhook.builder.BuildPipeline;
import dev.cronhook.builder.log.BuildLog;
import dev.cronhook.builder.log.BuildLogs;
import dev.cronhook.core.build.BuildRequest;
import dev.cronhook.core.build.BuildResult;
import dev.cronhook.core.build.BuildState;
import dev.cronhook.core.queue.QueueOptions;
import dev.cronhook.core.queue.QueueSpec;
import dev.cronhook.core.queue.Queues;
import dev.cronhook.core.queue.WorkQueue;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes {@link BuildRequest}s from {@link QueueSpec#BUILDS} and publishes a BUILDING and then a READY or FAILED
 * {@link BuildResult} to {@link QueueSpec#BUILD_RESULTS}; a request is acknowledged only after its final result is
 * enqueued, so a builder that dies mid-build leaves it to another (the queue reclaims it after the visibility
 * timeout). Every line of a build also goes live to its {@link BuildLogs} log.
 */
public final class BuildWorker implements AutoCloseable {
    public static final String GROUP = QueueSpec.BUILDS.group();
    private static final Logger log = LoggerFactory.getLogger(BuildWorker.class);

    /** Consumer name (unique per process), builds at once, visibility timeout, how long logs live, stop grace. */
    public record Settings(
            String consumerName, int concurrency, Duration visibilityTimeout, Duration logTtl, Duration stopGrace) {}

    private final BuildLogs logs;
    private final BuildPipeline pipeline;
    private final Settings settings;
    private final Clock clock;
    private final WorkQueue<BuildRequest> requests;
    private final WorkQueue<BuildResult> results;
    private final Set<Thread> building = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<String, CompletableFuture<Void>> inProgress = new ConcurrentHashMap<>();
    private volatile WorkQueue.Worker worker;

    /** A worker on {@code queues}' build queues, writing each build's lines to {@code logs}. */
    public BuildWorker(Queues queues, BuildLogs logs, BuildPipeline pipeline, Settings settings, Clock clock) {
        this.logs = logs;
        this.pipeline = pipeline;
        this.settings = settings;
        this.clock = clock;
        this.results = queues.open(QueueSpec.BUILD_RESULTS);
        var options = QueueOptions.<BuildRequest>defaults()
                .withConcurrency(settings.concurrency())
                .withVisibilityTimeout(settings.visibilityTimeout())
                .withDeadLetterHandler(this::giveUp);
        this.requests = queues.open(QueueSpec.BUILDS, options);
    }

    public synchronized void start() {
        if (worker != null) return;
        Thread.ofVirtual().name("builder-prepare").start(pipeline::prepare);
        worker = requests.consume(settings.consumerName(), this::handle);
    }

    public boolean isRunning() {
        return worker != null;
    }

    void handle(WorkQueue.Delivery<BuildRequest> delivery) throws Exception {
        var request = delivery.message();
        var mine = new CompletableFuture<Void>();
        var running = inProgress.putIfAbsent(request.key(), mine);
        if (running != null) {
            // the same version is being built here already (redelivered to us, or requested twice): its result
            // answers this delivery too, which is acknowledged only once that result is out
            log.info("build {} already in progress in this builder; waiting for it", request.key());
            running.get();
            return;
        }
        building.add(Thread.currentThread());
        try {
            build(delivery);
            mine.complete(null);
        } catch (Exception | Error e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inProgress.remove(request.key(), mine);
            building.remove(Thread.currentThread());
        }
    }

    private void build(WorkQueue.Delivery<BuildRequest> delivery) throws InterruptedException {
        var request = delivery.message();
        // the builder before us may have written a whole log, end entry included: readers start over
        var buildLog =
                new BuildLog(logs.open(request.scriptId(), request.version(), delivery.deliveryCount() > 1), clock);
        if (delivery.deliveryCount() > 1) {
            buildLog.system("delivery " + delivery.deliveryCount()
                    + ": taking over a build that another builder did not finish");
        }
        buildLog.system("build of " + request.key() + " started by " + settings.consumerName());
        results.enqueue(new BuildResult(
                request.scriptId(),
                request.version(),
                BuildState.BUILDING,
                request.lockfile(),
                null,
                null,
                null,
                buildLog.text(),
                clock.instant()));
        var result = pipeline.build(request, buildLog);
        buildLog.end(result.state());
        results.enqueue(result);
        log.info("build {} {}{}", request.key(), result.state(), result.error() == null ? "" : ": " + result.error());
    }

    /** A request whose builders kept dying is dead-lettered by the queue: report it as FAILED. */
    private void giveUp(BuildRequest request, String reason) {
        var buildLog = new BuildLog(logs.open(request.scriptId(), request.version(), false), clock);
        buildLog.system("giving up: " + reason);
        buildLog.end(BuildState.FAILED);
        results.enqueue(new BuildResult(
                request.scriptId(),
                request.version(),
                BuildState.FAILED,
                request.lockfile(),
                null,
                null,
                "the build was abandoned: " + reason,
                buildLog.text(),
                clock.instant()));
    }

    /**
     * Stops taking requests, lets the builds in hand finish within the stop grace, then interrupts the rest (they
     * stay pending and another builder takes them over).
     */
    @Override
    public void close() {
        WorkQueue.Worker w;
        synchronized (this) {
            w = worker;
            worker = null;
        }
        if (w == null) return;
        var stopper = Thread.ofVirtual().start(w::close);
        long deadline = System.nanoTime() + settings.stopGrace().toNanos();
        try {
            while (!building.isEmpty() && System.nanoTime() < deadline) Thread.sleep(50);
            if (!building.isEmpty()) {
                log.warn("stopping with {} build(s) unfinished; another builder will take them over", building.size());
                building.forEach(Thread::interrupt);
            }
            stopper.join(Duration.ofSeconds(15));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
