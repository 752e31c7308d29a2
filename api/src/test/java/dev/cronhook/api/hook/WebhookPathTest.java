package dev.cronhook.api.hook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyList;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.cronhook.api.db.ReadCaches;
import dev.cronhook.api.error.BackendFailures;
import dev.cronhook.api.error.ProblemWebExceptionHandler;
import dev.cronhook.api.error.ProblemWriter;
import dev.cronhook.api.run.PublishedRunEnds;
import dev.cronhook.api.run.RunLauncher;
import dev.cronhook.api.run.RunRepository;
import dev.cronhook.api.run.RunService;
import dev.cronhook.api.run.RunView;
import dev.cronhook.api.script.RetryPolicy;
import dev.cronhook.api.script.ScriptRepository;
import dev.cronhook.api.secret.RunTokens;
import dev.cronhook.api.secret.SecretService;
import dev.cronhook.core.build.BuildState;
import dev.cronhook.core.net.EgressPolicy;
import dev.cronhook.core.queue.QueueSpec;
import dev.cronhook.core.queue.WorkQueue;
import dev.cronhook.core.queue.memory.InMemoryQueues;
import dev.cronhook.core.queue.memory.InMemoryWorkQueue;
import dev.cronhook.core.run.Admission;
import dev.cronhook.core.run.DirectRuns;
import dev.cronhook.core.run.RunLedger;
import dev.cronhook.core.run.RunRequest;
import dev.cronhook.core.run.RunResult;
import dev.cronhook.core.run.RunStatus;
import dev.cronhook.core.run.memory.InMemoryAdmission;
import dev.cronhook.core.run.memory.InMemoryFinishedRuns;
import dev.cronhook.core.run.memory.InMemoryRunBacklog;
import dev.cronhook.core.run.memory.InMemoryRunLedger;
import dev.cronhook.core.run.memory.InMemoryRunSignals;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.web.reactive.server.MockServerConfigurer;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.util.unit.DataSize;
import org.springframework.web.server.adapter.WebHttpHandlerBuilder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The webhook path (ingress, run service, launcher) on the in-memory queue, ledger, board and admission checks, with
 * an executor that answers every run with its event's body: no Redis, no database (the repositories are stubs of
 * their rows), no engine.
 */
class WebhookPathTest {
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String TOKEN = "tok-" + UUID.randomUUID();

    final InMemoryQueues queues = new InMemoryQueues();
    final WorkQueue<RunRequest> runQueue = queues.open(QueueSpec.RUNS);
    final InMemoryRunSignals signals = new InMemoryRunSignals();
    final InMemoryFinishedRuns board = new InMemoryFinishedRuns();
    final InMemoryRunLedger ledger = new InMemoryRunLedger(signals, runQueue::enqueue, Duration.ofSeconds(1), board);
    final InMemoryRunBacklog backlog = new InMemoryRunBacklog((InMemoryWorkQueue<RunRequest>) runQueue, ledger);
    final InMemoryAdmission admission = new InMemoryAdmission();
    final ScriptRepository scripts = mock(ScriptRepository.class);
    final RunRepository runs = mock(RunRepository.class);
    final WebhookSignatureRepository signatures = mock(WebhookSignatureRepository.class);
    final SecretService secrets = mock(SecretService.class);
    final Map<UUID, RunRepository.NewRun> recorded = new ConcurrentHashMap<>();
    final List<RunRequest> executed = new CopyOnWriteArrayList<>();
    final UUID scriptId = UUID.randomUUID();
    RunLauncher launcher;
    WorkQueue.Worker executor;
    WebTestClient client;

    ScriptRepository.ScriptRow script(boolean paused) {
        return new ScriptRepository.ScriptRow(
                scriptId,
                UUID.randomUUID(),
                "echo",
                "dev",
                true,
                TOKEN,
                5,
                128,
                null,
                1,
                1,
                Instant.now(),
                Instant.now(),
                null,
                RetryPolicy.NONE,
                EgressPolicy.none(),
                new ScriptRepository.Pause(paused, null, null, null));
    }

    @BeforeEach
    void wire() {
        when(scripts.findByWebhookToken(TOKEN)).thenReturn(Optional.of(script(false)));
        when(scripts.version(any(), anyInt()))
                .thenReturn(Optional.of(new ScriptRepository.VersionRow(
                        scriptId,
                        1,
                        "export default (e) => e.body;",
                        Map.of(),
                        null,
                        BuildState.READY,
                        null,
                        null,
                        "registry/echo:v1",
                        "sha256:1",
                        Instant.now(),
                        Instant.now(),
                        "node",
                        Map.of())));
        when(signatures.find(any())).thenReturn(Optional.empty());
        doAnswer(call -> {
                    List<RunRepository.NewRun> rows = call.getArgument(0);
                    rows.forEach(row -> recorded.put(row.id(), row));
                    return null;
                })
                .when(runs)
                .insertAll(anyList());
        doAnswer(call -> {
                    List<UUID> ids = call.getArgument(0);
                    ids.forEach(recorded::remove);
                    return null;
                })
                .when(runs)
                .deleteQueued(anyList());
        when(runs.findAnyOwner(any())).thenAnswer(call -> {
            UUID id = call.getArgument(0);
            var row = recorded.get(id);
            return Optional.ofNullable(row)
                    .map(r -> new RunView(
                            r.id(),
                            r.scriptId(),
                            r.version(),
                            r.trigger(),
                            RunStatus.QUEUED,
                            r.eventJson(),
                            null,
                            null,
                            null,
                            r.attempt(),
                            null,
                            r.queuedAt(),
                            null,
                            null,
                            null,
                            null));
        });
        start(runQueue);
    }

    void start(WorkQueue<RunRequest> launchQueue) {
        start(launchQueue, null);
    }

    /** The path with {@code here} as the executor in this process that takes runs directly (null: none). */
    void start(WorkQueue<RunRequest> launchQueue, DirectRuns here) {
        launcher = new RunLauncher(runs, launchQueue, admission, backlog, () -> here, Duration.ofMinutes(2), 1, 16);
        var caches = new ReadCaches();
        RunTokens tokens = new RunTokens() {
            @Override
            public String issue(UUID runId, Duration validFor) {
                return "t";
            }

            @Override
            public boolean verify(UUID runId, String token) {
                return false;
            }
        };
        var service = new RunService(
                runs, scripts, launcher, new PublishedRunEnds(board), signals, JSON, tokens, secrets, caches);
        var controller = new WebhookController(
                scripts,
                service,
                runs,
                board,
                new PublishedRunEnds(board),
                signatures,
                admission,
                new WebhookProperties(Duration.ofSeconds(5), DataSize.ofKilobytes(64), 2, Duration.ofHours(1)),
                JSON,
                caches);
        var problems = new ProblemWebExceptionHandler(new ProblemWriter(JSON), List.<BackendFailures>of());
        client = WebTestClient.bindToController(controller)
                .apply(new MockServerConfigurer() {
                    @Override
                    public void beforeServerCreated(WebHttpHandlerBuilder builder) {
                        builder.exceptionHandlers(handlers -> handlers.addFirst(problems));
                    }
                })
                .build();
        // the executor: every run answers with its event's body
        executor = runQueue.consume("executor", delivery -> {
            var request = delivery.message();
            if (ledger.begin(request, delivery.id()).join() != RunLedger.Begin.STARTED) return;
            executed.add(request);
            answer(request);
        });
    }

    /** Ends the run with its event's body, as the executor here does. */
    void answer(RunRequest request) {
        JsonNode event = JSON.readTree(request.eventJson());
        ledger.finish(
                        request,
                        new RunResult(
                                request.runId(),
                                RunStatus.SUCCEEDED,
                                JSON.writeValueAsString(event.path("body")),
                                null,
                                null,
                                Instant.now(),
                                Instant.now()))
                .join();
    }

    @Test
    void aSyncCallGoesToTheExecutorHereDirectlyHeldInTheBacklogAndAnAsyncOneThroughTheQueue() {
        stop();
        var taken = new CopyOnWriteArrayList<RunRequest>();
        var heldWhenTaken = new CopyOnWriteArrayList<Boolean>();
        start(runQueue, request -> {
            taken.add(request);
            heldWhenTaken.add(backlog.untraced(List.of(request.runId())).isEmpty());
            CompletableFuture.runAsync(() -> answer(request));
            return true;
        });

        var answer = call("{\"hello\":\"here\"}")
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .returnResult();

        assertThat(JSON.readTree(answer.getResponseBody())).isEqualTo(JSON.readTree("{\"hello\":\"here\"}"));
        var runId = UUID.fromString(answer.getResponseHeaders().getFirst("X-Cronhook-Run-Id"));
        assertThat(recorded).as("recorded before it was handed over").containsKey(runId);
        assertThat(taken).extracting(RunRequest::runId).containsExactly(runId);
        assertThat(heldWhenTaken).containsExactly(true);
        assertThat(executed).as("nothing went through the queue").isEmpty();

        var queued = client.post()
                .uri("/hooks/" + TOKEN + "?async=true")
                .bodyValue("{}")
                .exchange()
                .expectStatus()
                .isAccepted()
                .expectBody(String.class)
                .returnResult();
        var asyncRun = UUID.fromString(queued.getResponseHeaders().getFirst("X-Cronhook-Run-Id"));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> executed.stream()
                .anyMatch(r -> r.runId().equals(asyncRun)));
        assertThat(taken).hasSize(1);
    }

    @Test
    void aSyncCallTheExecutorHereHasNoRoomForGoesThroughTheQueue() {
        stop();
        var asked = new CopyOnWriteArrayList<UUID>();
        start(runQueue, request -> {
            asked.add(request.runId());
            return false;
        });

        var answer =
                call("{\"n\":1}").expectStatus().isOk().expectBody(String.class).returnResult();

        var runId = UUID.fromString(answer.getResponseHeaders().getFirst("X-Cronhook-Run-Id"));
        assertThat(asked).containsExactly(runId);
        assertThat(executed).extracting(RunRequest::runId).containsExactly(runId);
    }

    @AfterEach
    void stop() {
        executor.close();
        launcher.close();
    }

    WebTestClient.ResponseSpec call(String body, String... headers) {
        var request = client.post().uri("/hooks/" + TOKEN).header("Content-Type", "application/json");
        for (int i = 0; i < headers.length; i += 2) request = request.header(headers[i], headers[i + 1]);
        return request.bodyValue(body).exchange();
    }

    @Test
    void aSyncCallIsAnsweredWithTheScriptsResultAndItsRunRecordedFirst() {
        var answer = call("{\"hello\":\"world\"}")
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .returnResult();
        assertThat(JSON.readTree(answer.getResponseBody())).isEqualTo(JSON.readTree("{\"hello\":\"world\"}"));
        String runId = answer.getResponseHeaders().getFirst("X-Cronhook-Run-Id");
        assertThat(recorded).containsKey(UUID.fromString(runId));
        assertThat(recorded.get(UUID.fromString(runId)).trigger()).isEqualTo("webhook");
        assertThat(executed).extracting(RunRequest::runId).containsExactly(UUID.fromString(runId));
    }

    @Test
    void anAsyncCallIsAcceptedWithWhereToFollowItsRun() {
        var answer = client.post()
                .uri("/hooks/" + TOKEN + "?async=true")
                .bodyValue("{}")
                .exchange()
                .expectStatus()
                .isAccepted()
                .expectBody(String.class)
                .returnResult();
        var body = JSON.readTree(answer.getResponseBody());
        assertThat(body.get("status").asString()).isEqualTo("QUEUED");
        assertThat(answer.getResponseHeaders().getLocation())
                .hasToString("/api/runs/" + body.get("runId").asString());
    }

    @Test
    void aRepeatedIdempotencyKeyIsAnsweredWithTheFirstRunAndRunsNothingMore() {
        String first = call("{\"n\":1}", "Idempotency-Key", "order-7")
                .expectStatus()
                .isOk()
                .returnResult(String.class)
                .getResponseHeaders()
                .getFirst("X-Cronhook-Run-Id");
        var again = call("{\"n\":2}", "Idempotency-Key", "order-7")
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .returnResult();
        assertThat(again.getResponseHeaders().getFirst("X-Cronhook-Run-Id")).isEqualTo(first);
        assertThat(JSON.readTree(again.getResponseBody())).isEqualTo(JSON.readTree("{\"n\":1}"));
        assertThat(executed).hasSize(1);
    }

    @Test
    void callsOverTheScriptsRateLimitAreRefusedAndNotRecorded() {
        // a limit of 2 a second: of five calls within a second or two, some are refused
        int refused = 0;
        for (int i = 0; i < 5; i++) {
            var status = call("{}", "Prefer", "respond-async")
                    .returnResult(String.class)
                    .getStatus()
                    .value();
            assertThat(status).isIn(202, 429);
            if (status == 429) refused++;
        }
        assertThat(refused).isPositive();
        assertThat(recorded).hasSize(5 - refused);
    }

    /** The in-memory admission, its counts sent through {@code count} (which may count, delay or fail them). */
    Admission admissionCounting(
            java.util.function.Function<List<Admission.Calls>, CompletableFuture<List<Long>>> count) {
        return new Admission() {
            @Override
            public CompletableFuture<List<Long>> count(List<Calls> calls) {
                return count.apply(calls);
            }

            @Override
            public Claim claim(UUID script, String key, UUID runId, Duration pendingFor) {
                return admission.claim(script, key, runId, pendingFor);
            }

            @Override
            public void confirm(UUID script, String key, UUID runId, Duration window) {
                admission.confirm(script, key, runId, window);
            }

            @Override
            public void release(UUID script, String key, UUID runId) {
                admission.release(script, key, runId);
            }
        };
    }

    void launchWith(Admission counting) {
        launcher.close();
        launcher = new RunLauncher(runs, runQueue, counting, backlog, () -> null, Duration.ofMinutes(2), 1, 16);
    }

    @Test
    void aSecondOnceSeenOverItsLimitRefusesItsNextCallsWithoutCountingOrRecordingThem() {
        var counted = new java.util.concurrent.atomic.AtomicInteger();
        launchWith(admissionCounting(calls -> {
            calls.forEach(c -> counted.addAndGet(c.calls()));
            return admission.count(calls);
        }));
        // a limit of 2 in this second (the launcher forgets a second a second after it ends: this test takes ms)
        var limit = new RunLauncher.RateLimit(scriptId, System.currentTimeMillis() / 1000, 2);
        var outcomes = new java.util.ArrayList<String>();
        for (int i = 0; i < 8; i++) {
            try {
                launcher.launch(launch(limit)).join();
                outcomes.add("accepted");
            } catch (java.util.concurrent.CompletionException e) {
                outcomes.add(e.getCause().getClass().getSimpleName());
            }
        }
        assertThat(outcomes)
                .containsExactly(
                        "accepted",
                        "accepted",
                        "RateLimitedException",
                        "RateLimitedException",
                        "RateLimitedException",
                        "RateLimitedException",
                        "RateLimitedException",
                        "RateLimitedException");
        // the third was counted, recorded while it was, and deleted; the five after it cost nothing
        assertThat(counted).hasValue(3);
        verify(runs, org.mockito.Mockito.times(3)).insertAll(anyList());
        assertThat(recorded).hasSize(2);
    }

    @Test
    void aRateCheckThatFailsAfterTheRowWasWrittenRefusesTheCallAndDeletesItsRow() {
        launchWith(admissionCounting(calls -> CompletableFuture.supplyAsync(
                () -> {
                    throw new IllegalStateException("rate store down");
                },
                CompletableFuture.delayedExecutor(50, java.util.concurrent.TimeUnit.MILLISECONDS))));
        launchRefusedAsUnavailable();
        verify(runs).insertAll(anyList());
        verify(runs).deleteQueued(anyList());
        assertThat(recorded).isEmpty();
    }

    @Test
    void aRateCheckRefusedAtOnceWritesNoRow() {
        launchWith(admissionCounting(calls -> CompletableFuture.failedFuture(new IllegalStateException("down"))));
        launchRefusedAsUnavailable();
        verify(runs, org.mockito.Mockito.never()).insertAll(anyList());
    }

    /** Launches one run (a limit of 2 in this second) and expects it refused: the service is unavailable (503). */
    void launchRefusedAsUnavailable() {
        var limit = new RunLauncher.RateLimit(scriptId, System.currentTimeMillis() / 1000, 2);
        assertThat(launcher.launch(launch(limit)))
                .failsWithin(Duration.ofSeconds(5))
                .withThrowableThat()
                .havingCause()
                .isInstanceOf(dev.cronhook.api.error.ServiceUnavailableException.class);
    }

    RunLauncher.NewLaunch launch(RunLauncher.RateLimit limit) {
        var runId = UUID.randomUUID();
        var now = Instant.now();
        return new RunLauncher.NewLaunch(
                new RunRepository.NewRun(runId, scriptId, UUID.randomUUID(), 1, "webhook", "{}", 1, null, now),
                new RunRequest(
                        runId,
                        scriptId,
                        1,
                        "registry/echo:v1",
                        dev.cronhook.core.run.TriggerKind.WEBHOOK,
                        "{}",
                        5,
                        128,
                        1,
                        now,
                        null,
                        0,
                        EgressPolicy.none()),
                limit,
                false);
    }

    @Test
    void anUnknownTokenIsNotFoundAndAPausedScriptIsAConflict() {
        client.post()
                .uri("/hooks/nobody")
                .bodyValue("{}")
                .exchange()
                .expectStatus()
                .isNotFound();
        when(scripts.findByWebhookToken(TOKEN)).thenReturn(Optional.of(script(true)));
        // the script was cached as it was: a new token leads to the paused one
        when(scripts.findByWebhookToken("paused")).thenReturn(Optional.of(script(true)));
        client.post()
                .uri("/hooks/paused")
                .bodyValue("{}")
                .exchange()
                .expectStatus()
                .isEqualTo(409);
        assertThat(recorded).isEmpty();
    }

    @Test
    void aCallWhoseRunTheQueueDoesNotTakeIsRefusedAndLeavesNothingBehind() {
        executor.close();
        launcher.close();
        WorkQueue<RunRequest> broken = new WorkQueue<>() {
            @Override
            public String enqueue(RunRequest message) {
                throw new IllegalStateException("queue down");
            }

            @Override
            public Worker consume(String consumerName, MessageHandler<RunRequest> handler) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Worker consumeBatches(String consumerName, BatchHandler<RunRequest> handler) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Worker consumeAsync(String consumerName, AsyncHandler<RunRequest> handler) {
                throw new UnsupportedOperationException();
            }
        };
        start(broken);
        call("{}").expectStatus().isEqualTo(503);
        assertThat(recorded).isEmpty();
        verify(runs).deleteQueued(anyList());
    }
}
