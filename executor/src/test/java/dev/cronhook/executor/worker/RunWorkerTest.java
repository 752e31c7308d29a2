package dev.cronhook.executor.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cronhook.core.queue.QueueSpec;
import dev.cronhook.core.queue.WorkQueue;
import dev.cronhook.core.queue.memory.InMemoryQueues;
import dev.cronhook.core.queue.memory.InMemoryWorkQueue;
import dev.cronhook.core.run.RunRequest;
import dev.cronhook.core.run.RunResult;
import dev.cronhook.core.run.RunStatus;
import dev.cronhook.core.run.TriggerKind;
import dev.cronhook.core.run.memory.InMemoryRunLedger;
import dev.cronhook.core.run.memory.InMemoryRunSignals;
import dev.cronhook.executor.runtime.Invocation;
import dev.cronhook.executor.runtime.LogSink;
import dev.cronhook.executor.runtime.LogStream;
import dev.cronhook.executor.runtime.Outcome;
import dev.cronhook.executor.runtime.ScriptRuntime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The run worker's logic on the in-memory queue, ledger, signals and live logs, with a runtime that answers as a
 * script would: no Redis, no engine.
 */
class RunWorkerTest {
    final InMemoryQueues queues = new InMemoryQueues();
    final WorkQueue<RunRequest> runs = queues.open(QueueSpec.RUNS);
    final InMemoryRunSignals signals = new InMemoryRunSignals();
    final InMemoryRunLedger ledger = new InMemoryRunLedger(signals, runs::enqueue, Duration.ofSeconds(1));
    final InMemoryLiveLogs logs = new InMemoryLiveLogs();
    final FakeRuntime runtime = new FakeRuntime();
    final UUID scriptId = UUID.randomUUID();
    RunWorker worker;

    /** A script that logs its event, returns it, and for "wait" waits until released or cancelled. */
    static final class FakeRuntime implements ScriptRuntime {
        final AtomicInteger invocations = new AtomicInteger();
        final Map<UUID, Integer> runsOf = new ConcurrentHashMap<>();
        final AtomicInteger atOnce = new AtomicInteger();
        volatile int mostAtOnce;
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public Outcome run(Invocation invocation, LogSink logs) {
            invocations.incrementAndGet();
            runsOf.merge(invocation.runId(), 1, Integer::sum);
            int now = atOnce.incrementAndGet();
            mostAtOnce = Math.max(mostAtOnce, now);
            try {
                logs.line(Instant.now(), LogStream.STDOUT, "event " + invocation.eventJson());
                if (invocation.eventJson().contains("wait")) {
                    while (!invocation.cancellation().isCancelled()) {
                        if (release.await(20, TimeUnit.MILLISECONDS)) break;
                    }
                    if (invocation.cancellation().isCancelled()) {
                        return new Outcome(RunStatus.CANCELLED, null, null, "cancelled", "fake", false);
                    }
                }
                return new Outcome(RunStatus.SUCCEEDED, invocation.eventJson(), null, null, "fake", false);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } finally {
                atOnce.decrementAndGet();
            }
        }

        @Override
        public void close() {}
    }

    void start() {
        start(RunWorker.Settings.named("test").withVisibilityTimeout(Duration.ofMillis(500)));
    }

    void start(RunWorker.Settings settings) {
        worker = new RunWorker(queues, ledger, signals, logs, runtime, settings, null, null);
        worker.start();
    }

    @AfterEach
    void stop() {
        runtime.release.countDown();
        if (worker != null) worker.close();
    }

    RunRequest run(String eventJson, int maxConcurrency) {
        return new RunRequest(
                        UUID.randomUUID(),
                        scriptId,
                        1,
                        "image",
                        TriggerKind.WEBHOOK,
                        eventJson,
                        5,
                        128,
                        1,
                        Instant.now(),
                        null,
                        0)
                .withMaxConcurrency(maxConcurrency);
    }

    List<RunResult> endsOf(UUID runId) {
        return ledger.published().stream()
                .filter(r -> r.runId().equals(runId) && r.status().isFinal())
                .toList();
    }

    @Test
    void aRunIsRunItsLinesGoToItsLiveLogAndItsEndIsPublished() {
        start();
        var request = run("{\"n\":1}", 0);
        runs.enqueue(request);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> !endsOf(request.runId()).isEmpty());
        var end = endsOf(request.runId()).getFirst();
        assertThat(end.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(end.resultJson()).isEqualTo("{\"n\":1}");
        assertThat(end.startedAt()).isNotNull();
        assertThat(logs.of(request.runId())).containsExactly("stdout: event {\"n\":1}");
    }

    @Test
    void runsHandedOverDirectlyAndQueuedRunsShareOneBudget() {
        start(RunWorker.Settings.named("test").withConcurrency(1));
        var direct = run("{\"wait\":true}", 0);
        var queued = run("{\"n\":2}", 0);

        assertThat(worker.tryTake(direct)).isTrue();
        runs.enqueue(queued);
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> endsOf(queued.runId())
                .isEmpty());
        assertThat(worker.tryTake(run("{}", 0)))
                .as("the queued run waits first")
                .isFalse();

        runtime.release.countDown();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> !endsOf(queued.runId()).isEmpty());
        assertThat(endsOf(direct.runId())).hasSize(1);
        assertThat(runtime.mostAtOnce).isEqualTo(1);
    }

    /**
     * A worker of one slot running a run handed over directly that waits until released, with direct runs waiting
     * {@code wait} for a slot; returns the next direct run, not handed over yet.
     */
    private RunRequest oneSlotTaken(Duration wait) {
        start(RunWorker.Settings.named("test").withConcurrency(1));
        worker.withDirectWait(wait);
        assertThat(worker.tryTake(run("{\"wait\":true}", 0))).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> runtime.invocations.get() == 1);
        return run("{\"n\":2}", 0);
    }

    @Test
    void aDirectRunFindingAllSlotsTakenWaitsHereForOneInsteadOfGoingOnTheQueue() {
        var second = oneSlotTaken(Duration.ofSeconds(30));

        assertThat(worker.tryTake(second)).as("the line is empty: it joins it").isTrue();
        assertThat(worker.tryTake(run("{}", 0)))
                .as("the line holds as many as the slots")
                .isFalse();
        await().during(Duration.ofMillis(300))
                .atMost(Duration.ofSeconds(2))
                .until(() -> runtime.invocations.get() == 1 && ((InMemoryWorkQueue<?>) runs).size() == 0);

        runtime.release.countDown();
        // ended long before its 30 s wait could have sent it to the queue: it ran from the line
        await().atMost(Duration.ofSeconds(5))
                .until(() -> !endsOf(second.runId()).isEmpty());
        assertThat(endsOf(second.runId()).getFirst().resultJson()).isEqualTo("{\"n\":2}");
        assertThat(runtime.runsOf.get(second.runId())).isEqualTo(1);
        assertThat(runtime.mostAtOnce).isEqualTo(1);
    }

    @Test
    void aDirectRunWithNoSlotWithinItsWaitGoesOnTheQueueAndRunsOnceFromThere() {
        var second = oneSlotTaken(Duration.ofMillis(200));
        assertThat(worker.tryTake(second)).isTrue();

        await().atMost(Duration.ofSeconds(5))
                .until(() -> ((InMemoryWorkQueue<RunRequest>) runs).messages().contains(second));
        assertThat(runtime.invocations.get()).as("not run meanwhile").isEqualTo(1);

        runtime.release.countDown();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> !endsOf(second.runId()).isEmpty());
        await().atMost(Duration.ofSeconds(5)).until(() -> ((InMemoryWorkQueue<?>) runs).size() == 0);
        assertThat(runtime.runsOf.get(second.runId()))
                .as("once, from the queue")
                .isEqualTo(1);
        assertThat(endsOf(second.runId())).hasSize(1);
        assertThat(runtime.mostAtOnce).isEqualTo(1);
    }

    @Test
    void aDirectRunWaitingWhenTheWorkerStopsIsHandedBackToTheQueueNotRun() {
        var second = oneSlotTaken(Duration.ofSeconds(30));
        assertThat(worker.tryTake(second)).isTrue();

        worker.close();

        await().atMost(Duration.ofSeconds(5))
                .until(() -> ((InMemoryWorkQueue<RunRequest>) runs).messages().contains(second));
        assertThat(runtime.runsOf.get(second.runId()))
                .as("not run by a stopping worker")
                .isNull();
        assertThat(endsOf(second.runId())).isEmpty();
    }

    @Test
    void aRunDeliveredAgainAfterItFinishedIsNeitherRunNorPublishedAgain() throws InterruptedException {
        start();
        var request = run("{}", 0);
        runs.enqueue(request);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> !endsOf(request.runId()).isEmpty());
        runs.enqueue(request);
        Thread.sleep(300);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> ((dev.cronhook.core.queue.memory.InMemoryWorkQueue<?>) runs).size() == 0);
        assertThat(runtime.runsOf.get(request.runId())).isEqualTo(1);
        assertThat(endsOf(request.runId())).hasSize(1);
    }

    @Test
    void aScriptsRunsBeyondItsLimitWaitAndAllRunInTurn() {
        start();
        var first = run("{\"wait\":true}", 1);
        var second = run("{}", 1);
        var third = run("{}", 1);
        runs.enqueue(first);
        await().atMost(Duration.ofSeconds(5)).until(() -> runtime.invocations.get() == 1);
        runs.enqueue(second);
        runs.enqueue(third);
        await().during(Duration.ofMillis(300))
                .atMost(Duration.ofSeconds(2))
                .until(() -> runtime.invocations.get() == 1);

        runtime.release.countDown();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> !endsOf(second.runId()).isEmpty()
                        && !endsOf(third.runId()).isEmpty());
        assertThat(runtime.mostAtOnce).isEqualTo(1);
    }

    @Test
    void aRunCancelledWhileItRunsEndsCancelledAndOneCancelledBeforeNeverRuns() {
        start();
        var running = run("{\"wait\":true}", 0);
        runs.enqueue(running);
        await().atMost(Duration.ofSeconds(5)).until(() -> runtime.invocations.get() == 1);
        signals.cancel(running.runId());
        await().atMost(Duration.ofSeconds(5))
                .until(() -> !endsOf(running.runId()).isEmpty());
        assertThat(endsOf(running.runId()).getFirst().status()).isEqualTo(RunStatus.CANCELLED);

        var never = run("{}", 0);
        signals.cancel(never.runId());
        runs.enqueue(never);
        await().atMost(Duration.ofSeconds(5)).until(() -> !endsOf(never.runId()).isEmpty());
        assertThat(endsOf(never.runId()).getFirst().error()).isEqualTo("cancelled before it started");
        assertThat(runtime.runsOf).doesNotContainKey(never.runId());
    }

    @Test
    void aRunThatStartsWhileTheWorkerIsIdleIsReportedRunningBeforeItEnds() {
        start();
        // nothing in hand: the reporting thread sleeps until its next sweep, and the run's start must wake it
        var request = run("{\"wait\":true}", 0);
        runs.enqueue(request);

        await().atMost(Duration.ofSeconds(5)).until(() -> ledger.published().stream()
                .anyMatch(r -> r.runId().equals(request.runId()) && r.status() == RunStatus.RUNNING));
        assertThat(endsOf(request.runId())).as("reported while it still runs").isEmpty();

        runtime.release.countDown();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> !endsOf(request.runId()).isEmpty());
        assertThat(ledger.published().stream()
                        .filter(r -> r.runId().equals(request.runId()))
                        .map(RunResult::status))
                .containsExactly(RunStatus.RUNNING, RunStatus.SUCCEEDED);
    }
}
