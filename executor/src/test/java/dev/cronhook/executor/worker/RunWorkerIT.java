package dev.cronhook.executor.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cronhook.core.queue.redis.Streams;
import dev.cronhook.core.run.RunRequest;
import dev.cronhook.core.run.RunResult;
import dev.cronhook.core.run.RunStatus;
import dev.cronhook.core.run.TriggerKind;
import dev.cronhook.core.wire.Wire;
import dev.cronhook.executor.runtime.HarnessScriptRuntime;
import dev.cronhook.executor.runtime.RuntimeLimits;
import dev.cronhook.executor.runtime.TestScripts;
import dev.cronhook.executor.runtime.docker.DockerScriptRuntime;
import io.lettuce.core.Consumer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The run worker against the real Redis and Docker engine. */
class RunWorkerIT {
    static final String REDIS = System.getenv().getOrDefault("CRONHOOK_TEST_REDIS_URL", "redis://127.0.0.1:6379/11");
    static String image;

    final String owner = "it-worker-" + UUID.randomUUID();
    final UUID scriptId = UUID.randomUUID();
    RedisClient client;
    StatefulRedisConnection<String, String> redis;
    DockerScriptRuntime runtime;
    final List<RunWorker> workers = new ArrayList<>();
    final List<String> owners = new ArrayList<>();

    @BeforeAll
    static void buildImage() {
        image = TestScripts.image();
    }

    @BeforeEach
    void connect() {
        client = RedisClient.create(REDIS);
        redis = client.connect();
        redis.sync()
                .del(
                        Streams.RUNS,
                        Streams.RUN_RESULTS,
                        Streams.RUNS + ":dead",
                        dev.cronhook.executor.worker.redis.RedisRunLedger.WAITING_SCRIPTS,
                        dev.cronhook.executor.worker.redis.RedisRunLedger.slotsKey(scriptId),
                        dev.cronhook.executor.worker.redis.RedisRunLedger.waitingKey(scriptId));
        owners.add(owner);
    }

    @AfterEach
    void disconnect() {
        workers.forEach(RunWorker::close);
        if (runtime != null) runtime.close();
        for (String o : owners) {
            new DockerScriptRuntime(
                            DockerScriptRuntime.client("unix:///var/run/docker.sock"),
                            "none",
                            o,
                            RuntimeLimits.defaults(),
                            HarnessScriptRuntime.WarmSettings.defaults())
                    .removeLeftovers();
        }
        redis.close();
        client.shutdown();
    }

    private RunWorker startWorker(RunWorker.Settings settings) {
        if (runtime == null) {
            runtime = new DockerScriptRuntime(
                    DockerScriptRuntime.client("unix:///var/run/docker.sock"),
                    "none",
                    owner,
                    RuntimeLimits.defaults(),
                    HarnessScriptRuntime.WarmSettings.defaults());
        }
        var worker = dev.cronhook.executor.worker.redis.RedisRunWorkers.create(client, redis, runtime, settings);
        worker.start();
        workers.add(worker);
        return worker;
    }

    private RunRequest request(String scenario, Map<String, Object> fields) {
        var event = new java.util.LinkedHashMap<String, Object>(fields);
        event.put("scenario", scenario);
        return new RunRequest(
                UUID.randomUUID(),
                scriptId,
                1,
                image,
                TriggerKind.MANUAL,
                Wire.json().writeValueAsString(event),
                30,
                128,
                1,
                Instant.now());
    }

    private void enqueue(RunRequest request) {
        redis.sync().xadd(Streams.RUNS, Map.of("m", Wire.json().writeValueAsString(request)));
    }

    private List<RunResult> results(UUID runId) {
        return redis.sync().xrange(Streams.RUN_RESULTS, io.lettuce.core.Range.create("-", "+")).stream()
                .map(m -> Wire.json().readValue(m.getBody().get("m"), RunResult.class))
                .filter(r -> r.runId().equals(runId))
                .toList();
    }

    private List<RunResult> finals(UUID runId) {
        return results(runId).stream().filter(r -> r.status().isFinal()).toList();
    }

    private RunResult awaitFinal(UUID runId) {
        await().atMost(Duration.ofSeconds(60)).until(() -> !finals(runId).isEmpty());
        return finals(runId).getFirst();
    }

    @Test
    void aRunThatEndsBeforeItIsDueToBeReportedRunningIsReportedOnceWithItsStartTime() {
        startWorker(RunWorker.Settings.named(owner).withRunningAfter(Duration.ofSeconds(30)));
        var request = request("echo", Map.of());

        enqueue(request);
        var result = awaitFinal(request.runId());

        assertThat(results(request.runId())).extracting(RunResult::status).containsExactly(RunStatus.SUCCEEDED);
        assertThat(result.startedAt()).isNotNull();
        assertThat(result.finishedAt()).isAfterOrEqualTo(result.startedAt());
    }

    @Test
    void aRunIsReportedRunningThenSucceededWithItsLiveLog() {
        startWorker(RunWorker.Settings.named(owner).withRunningAfter(Duration.ZERO));
        var request = request("echo", Map.of());

        enqueue(request);
        var result = awaitFinal(request.runId());

        assertThat(results(request.runId()))
                .extracting(RunResult::status)
                .containsExactly(RunStatus.RUNNING, RunStatus.SUCCEEDED);
        assertThat(result.resultJson()).contains("\"calls\":1");
        assertThat(result.startedAt()).isNotNull();
        assertThat(result.finishedAt()).isAfterOrEqualTo(result.startedAt());
        var log = redis.sync().xrange(Streams.runLog(request.runId()), io.lettuce.core.Range.create("-", "+"));
        assertThat(log).hasSize(3);
        // each stream keeps its order; stdout and stderr may interleave either way
        assertThat(log.subList(0, 2))
                .extracting(StreamMessage::getBody)
                .anySatisfy(b -> assertThat(b)
                        .containsEntry("stream", "stdout")
                        .containsEntry("line", "hello from manual")
                        .containsKey("t"))
                .anySatisfy(b -> assertThat(b).containsEntry("stream", "stderr").containsEntry("line", "a warning"));
        assertThat(log.get(2).getBody()).containsEntry("end", "SUCCEEDED");
        assertThat(redis.sync().ttl(Streams.runLog(request.runId()))).isPositive();
        await().atMost(Duration.ofSeconds(5)).until(() -> redis.sync().xlen(Streams.RUNS) == 0);
    }

    @Test
    void aRunThatPrintsNothingLeavesNoLiveLogBehind() {
        startWorker(RunWorker.Settings.named(owner));
        var request = request("trivial", Map.of());

        enqueue(request);

        assertThat(awaitFinal(request.runId()).status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(redis.sync().exists(Streams.runLog(request.runId()))).isZero();
        assertThat(redis.sync().exists(Streams.finishedKey(request.runId()))).isOne();
    }

    @Test
    void aRunDeliveredTwiceIsRunAndFinishedOnce() {
        startWorker(RunWorker.Settings.named(owner).withConcurrency(1));
        var request = request("echo", Map.of());

        enqueue(request);
        enqueue(request);
        awaitFinal(request.runId());
        await().atMost(Duration.ofSeconds(10)).until(() -> redis.sync().xlen(Streams.RUNS) == 0);

        assertThat(finals(request.runId())).hasSize(1);
        assertThat(results(request.runId())).hasSize(2);
    }

    @Test
    void aRunDeliveredTwiceAtOnceToOneExecutorIsRunOnce() {
        startWorker(RunWorker.Settings.named(owner).withConcurrency(4));
        var request = request("sleep", Map.of("millis", 1500));

        enqueue(request);
        enqueue(request);
        var result = awaitFinal(request.runId());
        await().atMost(Duration.ofSeconds(10)).until(() -> redis.sync().xlen(Streams.RUNS) == 0);

        assertThat(result.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(finals(request.runId())).hasSize(1);
        var log = redis.sync().xrange(Streams.runLog(request.runId()), io.lettuce.core.Range.create("-", "+"));
        assertThat(log)
                .extracting(StreamMessage::getBody)
                .filteredOn(b -> "sleeping".equals(b.get("line")))
                .hasSize(1);
    }

    @Test
    void aRunCancelledBeforeItStartsIsSkipped() {
        startWorker(RunWorker.Settings.named(owner));
        var request = request("echo", Map.of());
        redis.sync().setex(Streams.cancelledKey(request.runId()), 60, "1");

        enqueue(request);

        assertThat(awaitFinal(request.runId()).status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(results(request.runId())).hasSize(1);
    }

    @Test
    void aRunningRunIsCancelledThroughTheCancelChannel() {
        startWorker(RunWorker.Settings.named(owner));
        var request = request("sleep", Map.of("millis", 60_000));
        enqueue(request);
        await().atMost(Duration.ofSeconds(30)).until(() -> redis.sync().xlen(Streams.runLog(request.runId())) > 0);

        redis.sync().setex(Streams.cancelledKey(request.runId()), 60, "1");
        redis.sync().publish(Streams.CANCEL_CHANNEL, request.runId().toString());

        var result = awaitFinal(request.runId());
        assertThat(result.status()).isEqualTo(RunStatus.CANCELLED);
    }

    @Test
    void aRequestThatKeepsKillingItsExecutorsIsDeadLetteredAndItsRunFailed() {
        var request = request("echo", Map.of());
        enqueue(request);
        // two executors took it and died without acknowledging it
        var sync = redis.sync();
        sync.xgroupCreate(
                XReadArgs.StreamOffset.from(Streams.RUNS, "0"), RunWorker.GROUP, XGroupCreateArgs.Builder.mkstream());
        var taken = sync.xreadgroup(
                Consumer.from(RunWorker.GROUP, "dead-1"), XReadArgs.StreamOffset.lastConsumed(Streams.RUNS));
        sync.xclaim(
                Streams.RUNS,
                Consumer.from(RunWorker.GROUP, "dead-2"),
                0,
                taken.getFirst().getId());

        startWorker(RunWorker.Settings.named(owner)
                .withVisibilityTimeout(Duration.ofMillis(500))
                .withMaxDeliveries(2));

        var result = awaitFinal(request.runId());
        assertThat(result.status()).isEqualTo(RunStatus.FAILED);
        assertThat(result.error()).startsWith("the run was abandoned");
        assertThat(sync.xlen(Streams.RUNS + ":dead")).isEqualTo(1);
    }

    @Test
    void aStoppingExecutorHandsBackARunItCannotFinishAndAnotherFinishesIt() {
        var stopping = startWorker(RunWorker.Settings.named(owner).withVisibilityTimeout(Duration.ofMillis(1000)));
        var request = request("sleep", Map.of("millis", 12_000));
        enqueue(request);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> results(request.runId()).stream().anyMatch(r -> r.status() == RunStatus.RUNNING));

        stopping.close(); // waits for the run a while, then kills it and leaves it pending

        assertThat(finals(request.runId())).isEmpty();
        startWorker(RunWorker.Settings.named(owner + "-next").withVisibilityTimeout(Duration.ofMillis(1000)));
        var result = awaitFinal(request.runId());
        assertThat(result.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(finals(request.runId())).hasSize(1);
    }

    @Test
    void aRunTakenDirectlySkipsTheQueueIsFinishedOnceToldHereAndLeavesNoHold() {
        var worker = startWorker(RunWorker.Settings.named(owner));
        var told = new java.util.concurrent.CopyOnWriteArrayList<RunResult>();
        worker.publishingTo(told::add);
        var request = request("echo", Map.of());
        new dev.cronhook.core.run.redis.RedisRunBacklog(redis)
                .hold(Map.of(request.runId(), Duration.ofMinutes(5)))
                .join();

        assertThat(worker.tryTake(request)).isTrue();

        var result = awaitFinal(request.runId());
        assertThat(result.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(told).containsExactly(result);
        assertThat(redis.sync().xlen(Streams.RUNS)).as("never on the run queue").isZero();
        assertThat(redis.sync().exists(Streams.directKey(request.runId()))).isZero();
        assertThat(finals(request.runId())).hasSize(1);
    }

    @Test
    void directRunsAreRefusedForScriptsWithALimitPastTheirBudgetAndLineAndBeforeTheWorkerStarts() {
        var idle = dev.cronhook.executor.worker.redis.RedisRunWorkers.create(
                client, redis, new RunsNothing(), RunWorker.Settings.named(owner + "-idle"));
        assertThat(idle.tryTake(request("echo", Map.of()))).as("not started").isFalse();

        var worker = startWorker(RunWorker.Settings.named(owner).withConcurrency(1));
        worker.withDirectWait(Duration.ofSeconds(30));
        assertThat(worker.tryTake(request("echo", Map.of()).withMaxConcurrency(2)))
                .as("its ledger keeps the limit")
                .isFalse();
        var slow = request("sleep", Map.of("millis", 3000));
        assertThat(worker.tryTake(slow)).isTrue();
        var next = request("echo", Map.of());
        assertThat(worker.tryTake(next))
                .as("in the line: it holds as many as the slots")
                .isTrue();
        assertThat(worker.tryTake(request("echo", Map.of())))
                .as("past its budget and its line")
                .isFalse();

        awaitFinal(slow.runId());
        assertThat(awaitFinal(next.runId()).status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(redis.sync().xlen(Streams.RUNS))
                .as("it ran from the line, never queued")
                .isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> worker.tryTake(request("echo", Map.of())));
    }

    @Test
    void aStoppingExecutorQueuesARunItTookDirectlyAndAnotherFinishesIt() {
        var stopping = startWorker(RunWorker.Settings.named(owner).withVisibilityTimeout(Duration.ofMillis(1000)));
        var request = request("sleep", Map.of("millis", 12_000));
        assertThat(stopping.tryTake(request)).isTrue();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> results(request.runId()).stream().anyMatch(r -> r.status() == RunStatus.RUNNING));

        stopping.close();

        await().atMost(Duration.ofSeconds(30)).until(() -> redis.sync().xlen(Streams.RUNS) == 1);
        assertThat(finals(request.runId())).isEmpty();
        startWorker(RunWorker.Settings.named(owner + "-next").withVisibilityTimeout(Duration.ofMillis(1000)));
        var result = awaitFinal(request.runId());
        assertThat(result.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(finals(request.runId())).hasSize(1);
    }

    /** A runtime that is never asked to run anything. */
    static final class RunsNothing implements dev.cronhook.executor.runtime.ScriptRuntime {
        @Override
        public dev.cronhook.executor.runtime.Outcome run(
                dev.cronhook.executor.runtime.Invocation invocation, dev.cronhook.executor.runtime.LogSink logs) {
            throw new AssertionError("not started: it runs nothing");
        }

        @Override
        public void close() {}
    }

    @Test
    void aRunWhoseExecutorIsKilledIsFinishedExactlyOnceByAnother() throws Exception {
        String doomed = "it-doomed-" + UUID.randomUUID();
        owners.add(doomed);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var process = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        WorkerMain.class.getName(),
                        REDIS,
                        doomed,
                        "1000")
                .redirectErrorStream(true)
                .redirectOutput(new File("target/killed-worker.log"))
                .start();
        try {
            var request = request("sleep", Map.of("millis", 3000));
            enqueue(request);
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> results(request.runId()).stream().anyMatch(r -> r.status() == RunStatus.RUNNING));

            process.destroyForcibly(); // SIGKILL: no chance to hand the run back
            process.waitFor();
            assertThat(finals(request.runId())).isEmpty();
            startWorker(RunWorker.Settings.named(owner).withVisibilityTimeout(Duration.ofMillis(1000)));

            var result = awaitFinal(request.runId());
            await().atMost(Duration.ofSeconds(10)).until(() -> redis.sync().xlen(Streams.RUNS) == 0);
            assertThat(result.status()).isEqualTo(RunStatus.SUCCEEDED);
            assertThat(result.resultJson()).isEqualTo("\"slept\"");
            assertThat(finals(request.runId())).hasSize(1);
        } finally {
            process.destroyForcibly();
        }
    }

    @Test
    void runsBeyondTheirScriptsConcurrencyLimitWaitTheirTurnAndAllRun() {
        startWorker(RunWorker.Settings.named(owner));
        var runs = java.util.stream.IntStream.range(0, 3)
                .mapToObj(i -> request("sleep", Map.of("millis", 700)).withMaxConcurrency(1))
                .toList();

        runs.forEach(this::enqueue);
        var ended = runs.stream().map(r -> awaitFinal(r.runId())).toList();

        assertThat(ended).extracting(RunResult::status).containsOnly(RunStatus.SUCCEEDED);
        var byStart = ended.stream()
                .sorted(java.util.Comparator.comparing(RunResult::startedAt))
                .toList();
        for (int i = 1; i < byStart.size(); i++) {
            assertThat(byStart.get(i).startedAt())
                    .as("a run of a script limited to one at a time starts after the one before ends")
                    .isAfterOrEqualTo(byStart.get(i - 1).finishedAt());
        }
        assertThat(redis.sync().zcard(dev.cronhook.executor.worker.redis.RedisRunLedger.slotsKey(scriptId)))
                .isZero();
        assertThat(redis.sync().llen(dev.cronhook.executor.worker.redis.RedisRunLedger.waitingKey(scriptId)))
                .isZero();
    }

    @Test
    void aSlotHeldByAnExecutorThatDiedIsFreedWhenItsLeaseExpiresAndTheWaitingRunGoes() {
        long expiry = System.currentTimeMillis() + 1500;
        // what a dead executor leaves behind: a slot nobody will give back
        redis.sync()
                .zadd(
                        dev.cronhook.executor.worker.redis.RedisRunLedger.slotsKey(scriptId),
                        expiry,
                        UUID.randomUUID().toString());
        startWorker(RunWorker.Settings.named(owner));
        var request = request("echo", Map.of()).withMaxConcurrency(1);

        enqueue(request);
        var result = awaitFinal(request.runId());

        assertThat(result.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(result.startedAt().toEpochMilli()).isGreaterThanOrEqualTo(expiry);
        assertThat(redis.sync()
                        .hexists(
                                dev.cronhook.executor.worker.redis.RedisRunLedger.WAITING_SCRIPTS, scriptId.toString()))
                .isFalse();
    }

    @Test
    void aWaitingRunThatIsCancelledEndsCancelledAndGivesItsSlotToTheNext() {
        startWorker(RunWorker.Settings.named(owner));
        var first = request("sleep", Map.of("millis", 1500)).withMaxConcurrency(1);
        var cancelled = request("echo", Map.of()).withMaxConcurrency(1);
        var next = request("echo", Map.of()).withMaxConcurrency(1);
        enqueue(first);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> results(first.runId()).stream().anyMatch(r -> r.status() == RunStatus.RUNNING));
        enqueue(cancelled);
        await().atMost(Duration.ofSeconds(10))
                .until(() ->
                        redis.sync().llen(dev.cronhook.executor.worker.redis.RedisRunLedger.waitingKey(scriptId)) == 1);

        redis.sync().set(Streams.cancelledKey(cancelled.runId()), "1");
        enqueue(next);

        assertThat(awaitFinal(first.runId()).status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(awaitFinal(cancelled.runId()).status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(awaitFinal(next.runId()).status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(redis.sync().zcard(dev.cronhook.executor.worker.redis.RedisRunLedger.slotsKey(scriptId)))
                .isZero();
    }
}
