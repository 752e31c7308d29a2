package dev.cronhook.core.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cronhook.core.queue.WorkQueue;
import dev.cronhook.core.run.RunLedger.Begin;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * The contract of a {@link RunBacklog}, which every adapter's test extends: the adapter's backlog looks at the run
 * queue and the run ledger the test gets here (the ledger puts runs it lets go of back on that queue).
 */
public abstract class RunBacklogContract {
    protected abstract RunBacklog backlog();

    /** The run queue, as the api and the executors open it. */
    protected abstract WorkQueue<RunRequest> runQueue();

    /** The executors' ledger, queueing waiting runs again on {@link #runQueue()}. */
    protected abstract RunLedger ledger();

    /** How many messages the run queue holds unacknowledged (waiting or in hand). */
    protected abstract long queued();

    protected final UUID scriptId = UUID.randomUUID();

    protected RunRequest run(String eventJson, int maxConcurrency) {
        return new RunRequest(
                        UUID.randomUUID(),
                        scriptId,
                        1,
                        "image",
                        TriggerKind.WEBHOOK,
                        eventJson,
                        30,
                        128,
                        1,
                        Instant.now(),
                        null,
                        0)
                .withMaxConcurrency(maxConcurrency);
    }

    @Test
    void aRunThatNeverReachedTheQueueIsUntraced() {
        var lost = UUID.randomUUID();

        assertThat(backlog().untraced(List.of(lost))).containsExactly(lost);
        assertThat(backlog().untraced(List.of())).isEmpty();
    }

    @Test
    void aRunWaitingInTheQueueIsTracedEvenWhenAnotherRunsIdIsInItsEvent() {
        var lost = UUID.randomUUID();
        // a webhook body can name any run id: only the request's own counts
        var queued = run("{\"runId\":\"" + lost + "\",\"body\":{\"runId\":\"" + lost + "\"}}", 0);
        runQueue().enqueue(queued);

        assertThat(backlog().untraced(List.of(queued.runId(), lost))).containsExactly(lost);
    }

    @Test
    void aRunIsTracedWhileAWorkerHoldsItAndUntracedOnceItsDeliveryIsAcknowledgedWithoutAnEnd() {
        var run = run("{}", 0);
        runQueue().enqueue(run);
        var taken = new CompletableFuture<Void>();
        var done = new CompletableFuture<Void>();
        try (var worker = runQueue().consumeAsync("backlog-contract", delivery -> {
            taken.complete(null);
            return done;
        })) {
            taken.join();
            assertThat(backlog().untraced(List.of(run.runId()))).isEmpty();

            done.complete(null);
            await().atMost(Duration.ofSeconds(10)).until(() -> queued() == 0);
        }

        assertThat(backlog().untraced(List.of(run.runId()))).containsExactly(run.runId());
    }

    @Test
    void aRunWaitingForASlotOfItsScriptIsTracedAndSoIsItOnceItIsQueuedAgain() {
        var running = run("{}", 1);
        var waiting = run("{}", 1);
        assertThat(ledger().begin(running, "0-1").join()).isEqualTo(Begin.STARTED);
        runQueue().enqueue(waiting);
        var begun = new ConcurrentHashMap<UUID, Begin>();
        try (var worker = runQueue()
                .consumeAsync("backlog-contract", delivery -> ledger().begin(delivery.message(), delivery.id())
                        .thenAccept(b -> begun.put(delivery.message().runId(), b)))) {
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> begun.get(waiting.runId()) == Begin.WAITING && queued() == 0);
        }

        assertThat(backlog().untraced(List.of(waiting.runId()))).isEmpty();

        ledger().finish(running, succeeded(running)).join();
        assertThat(queued()).as("let go of, on the queue again").isEqualTo(1);
        assertThat(backlog().untraced(List.of(waiting.runId(), running.runId())))
                .isEmpty();
    }

    @Test
    void aRunWhoseEndWasPublishedIsTracedThoughItIsNoLongerQueued() {
        var run = run("{}", 0);
        assertThat(ledger().begin(run, "0-1").join()).isEqualTo(Begin.STARTED);
        ledger().finish(run, succeeded(run)).join();

        assertThat(backlog().untraced(List.of(run.runId()))).isEmpty();
    }

    @Test
    void aLongBacklogIsLookedThroughToFindTheFewRunsMissingFromIt() {
        var requests = new ArrayList<RunRequest>();
        for (int i = 0; i < 2_500; i++) requests.add(run("{\"n\":" + i + "}", 0));
        runQueue().enqueueAll(requests);
        var lost = Set.of(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());
        var asked = new ArrayList<UUID>(lost);
        requests.forEach(r -> asked.add(r.runId()));

        assertThat(backlog().untraced(asked)).containsExactlyInAnyOrderElementsOf(lost);
    }

    @Test
    void aRunHeldByAnExecutorThatTookItDirectlyIsTracedUntilItsLeaseRunsOut() {
        var held = run("{}", 0);
        var lost = UUID.randomUUID();

        backlog().hold(java.util.Map.of(held.runId(), Duration.ofMillis(1500))).join();

        assertThat(backlog().untraced(List.of(held.runId(), lost))).containsExactly(lost);
        // its process died holding it: once the lease is out, the sweep may queue it again
        await().atMost(Duration.ofSeconds(10))
                .until(() -> backlog().untraced(List.of(held.runId())).contains(held.runId()));
    }

    @Test
    void aHeldRunWhoseEndWasPublishedStaysTraced() {
        var held = run("{}", 0);
        backlog().hold(java.util.Map.of(held.runId(), Duration.ofMinutes(1))).join();

        ledger().finish(held, succeeded(held)).join();

        assertThat(backlog().untraced(List.of(held.runId()))).isEmpty();
    }

    static RunResult succeeded(RunRequest run) {
        return new RunResult(run.runId(), RunStatus.SUCCEEDED, "1", null, null, Instant.now(), Instant.now());
    }
}
