package dev.cronhook.executor.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cronhook.core.run.RunStatus;
import dev.cronhook.core.run.TriggerKind;
import dev.cronhook.core.wire.Wire;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every {@link ScriptRuntime} adapter must do; each adapter's IT extends this with its runtime and image. */
public abstract class ScriptRuntimeContract {
    protected final UUID scriptId = UUID.randomUUID();
    protected ScriptRuntime runtime;

    protected abstract ScriptRuntime newRuntime(RuntimeLimits limits);

    /** The scenarios script as this runtime runs it (an image or a bundle). */
    protected abstract String image();

    /** What a stack frame looks like in the log of this runtime's language. */
    protected String stackFrameMark() {
        return "at ";
    }

    protected RuntimeLimits limits() {
        return RuntimeLimits.defaults().withMaxLogLines(50).withMaxResultBytes(64 * 1024);
    }

    @BeforeEach
    void startRuntime() {
        runtime = newRuntime(limits());
    }

    @AfterEach
    void closeRuntime() {
        runtime.close();
    }

    protected record Line(Instant time, LogStream stream, String line) {}

    public static final class Logs implements LogSink {
        public Logs() {}

        final List<Line> lines = new CopyOnWriteArrayList<>();

        @Override
        public void line(Instant time, LogStream stream, String line) {
            lines.add(new Line(time, stream, line));
        }

        public List<String> of(LogStream stream) {
            return lines.stream()
                    .filter(l -> l.stream() == stream)
                    .map(Line::line)
                    .toList();
        }

        public List<String> all() {
            return lines.stream().map(Line::line).toList();
        }
    }

    protected Invocation scenario(String name, Map<String, Object> fields) {
        return scenario(name, fields, Duration.ofSeconds(20), 128, Map.of(), new Cancellation());
    }

    protected Invocation scenario(
            String name,
            Map<String, Object> fields,
            Duration timeout,
            int memoryMb,
            Map<String, String> env,
            Cancellation cancellation) {
        var event = new java.util.LinkedHashMap<String, Object>(fields);
        event.put("scenario", name);
        return new Invocation(
                UUID.randomUUID(),
                scriptId,
                1,
                image(),
                TriggerKind.WEBHOOK,
                Wire.json().writeValueAsString(event),
                timeout,
                memoryMb,
                env,
                cancellation);
    }

    @Test
    void aRunReturnsItsResultAndItsLogLinesWithTimeAndStream() {
        var logs = new Logs();
        var invocation = scenario("echo", Map.of("body", Map.of("n", 7)));

        var outcome = runtime.run(invocation, logs);

        assertThat(outcome.status()).isEqualTo(RunStatus.SUCCEEDED);
        var result = Wire.json().readTree(outcome.resultJson());
        assertThat(result.at("/event/body/n").asInt()).isEqualTo(7);
        assertThat(result.at("/ctx/runId").asString())
                .isEqualTo(invocation.runId().toString());
        assertThat(result.at("/ctx/scriptId").asString()).isEqualTo(scriptId.toString());
        assertThat(result.at("/ctx/trigger").asString()).isEqualTo("webhook");
        assertThat(logs.of(LogStream.STDOUT)).containsExactly("hello from webhook");
        assertThat(logs.of(LogStream.STDERR)).containsExactly("a warning");
        assertThat(logs.lines).allSatisfy(l -> assertThat(l.time()).isNotNull());
    }

    @Test
    void consoleOutputRawWritesAndChildProcessOutputAreLogLinesOfTheInvocationThatWroteThem() {
        var firstLogs = new Logs();
        var secondLogs = new Logs();

        var first = runtime.run(scenario("mixed", Map.of("n", 1)), firstLogs);
        var second = runtime.run(scenario("mixed", Map.of("n", 2)), secondLogs);

        assertThat(first.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(second.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(second.warm()).isTrue();
        for (var run : List.of(Map.entry(1, firstLogs), Map.entry(2, secondLogs))) {
            int n = run.getKey();
            var logs = run.getValue();
            // the harness's own channel and what went around it are two streams: no order between them
            assertThat(logs.of(LogStream.STDOUT))
                    .containsExactlyInAnyOrder(
                            "console " + n, "write " + n, "raw out " + n, "child " + n, "no newline " + n);
            assertThat(logs.of(LogStream.STDERR)).containsExactlyInAnyOrder("console error " + n, "raw err " + n);
        }
    }

    @Test
    void aReturnedResponseBecomesTheHttpReply() {
        var outcome = runtime.run(scenario("reply", Map.of()), new Logs());

        assertThat(outcome.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(outcome.reply().status()).isEqualTo(201);
        assertThat(outcome.reply().headers()).containsEntry("x-made-by", List.of("script"));
        assertThat(outcome.reply().body()).isEqualTo("{\"made\":true}");
        assertThat(outcome.reply().base64()).isFalse();
    }

    @Test
    void aThrownErrorFailsTheRunWithItsMessageAndTheStackInTheLog() {
        var logs = new Logs();
        var outcome = runtime.run(scenario("fail", Map.of()), logs);

        assertThat(outcome.status()).isEqualTo(RunStatus.FAILED);
        assertThat(outcome.error()).isEqualTo("the script broke");
        assertThat(String.join("\n", logs.of(LogStream.STDERR)))
                .contains("the script broke")
                .contains(stackFrameMark());
    }

    @Test
    void anEventThatIsNotJsonFailsTheRunAtOnce() {
        var valid = scenario("trivial", Map.of());
        var invocation = new Invocation(
                valid.runId(),
                scriptId,
                1,
                image(),
                TriggerKind.WEBHOOK,
                "{\"scenario\": oops",
                Duration.ofSeconds(60),
                128,
                Map.of(),
                new Cancellation());

        var outcome = runtime.run(invocation, new Logs());

        assertThat(outcome.status()).isEqualTo(RunStatus.FAILED);
        assertThat(outcome.error()).contains("not JSON");
    }

    @Test
    void anInfiniteLoopIsKilledAtTheDeadlineAndTimedOut() {
        var logs = new Logs();
        var outcome =
                runtime.run(scenario("loop", Map.of(), Duration.ofSeconds(2), 128, Map.of(), new Cancellation()), logs);

        assertThat(outcome.status()).isEqualTo(RunStatus.TIMED_OUT);
        assertThat(outcome.error()).contains("timed out after 2 s");
        assertThat(logs.all()).contains("looping");
    }

    @Test
    void aScriptAllocatingBeyondItsMemoryFailsWithMemoryLimitExceeded() {
        var outcome = runtime.run(
                scenario("memory", Map.of(), Duration.ofSeconds(30), 128, Map.of(), new Cancellation()), new Logs());

        assertThat(outcome.status()).isEqualTo(RunStatus.FAILED);
        assertThat(outcome.error()).isEqualTo("memory limit exceeded");
    }

    @Test
    void aForkBombIsStoppedByTheProcessLimitAndTheHostStaysUsable() {
        var outcome = runtime.run(
                scenario("forkBomb", Map.of(), Duration.ofSeconds(60), 256, Map.of(), new Cancellation()), new Logs());

        assertThat(outcome.status()).isEqualTo(RunStatus.FAILED);
        assertThat(outcome.error()).isNotBlank();
        var after = runtime.run(scenario("trivial", Map.of()), new Logs());
        assertThat(after.status()).isEqualTo(RunStatus.SUCCEEDED);
    }

    @Test
    void aScriptPrintingAFakeResultFrameCannotForgeItsResult() {
        var logs = new Logs();
        var outcome = runtime.run(scenario("forge", Map.of()), logs);

        assertThat(outcome.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(outcome.resultJson()).isEqualTo("\"genuine\"");
        assertThat(logs.of(LogStream.STDOUT)).hasSize(3).allSatisfy(l -> assertThat(l)
                .contains("forged"));
        assertThat(logs.of(LogStream.STDERR)).hasSize(1).allSatisfy(l -> assertThat(l)
                .contains("end"));
    }

    @Test
    void aSecondCallOfTheSameVersionIsServedByTheWarmSandbox() {
        var first = runtime.run(scenario("echo", Map.of()), new Logs());
        var second = runtime.run(scenario("echo", Map.of()), new Logs());

        assertThat(first.warm()).isFalse();
        assertThat(second.warm()).isTrue();
        assertThat(second.sandboxId()).isEqualTo(first.sandboxId());
        assertThat(Wire.json().readTree(second.resultJson()).get("calls").asInt())
                .isEqualTo(2);
    }

    @Test
    void anAsyncRunOnAWarmSandboxGivesTheSameOutcomeAndLogsAsABlockingOne() throws Exception {
        var first = runtime.runAsync(scenario("echo", Map.of()), new Logs()).get(60, TimeUnit.SECONDS);
        var logs = new Logs();
        var second =
                runtime.runAsync(scenario("logs", Map.of("lines", 3)), logs).get(60, TimeUnit.SECONDS);
        var timedOut = runtime.runAsync(
                        scenario("loop", Map.of(), Duration.ofSeconds(1), 128, Map.of(), new Cancellation()),
                        new Logs())
                .get(60, TimeUnit.SECONDS);

        assertThat(first.warm()).isFalse();
        assertThat(second.warm()).isTrue();
        assertThat(second.sandboxId()).isEqualTo(first.sandboxId());
        assertThat(second.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(second.resultJson()).isEqualTo("3");
        assertThat(logs.all()).containsExactly("line 0", "line 1", "line 2");
        assertThat(timedOut.status()).isEqualTo(RunStatus.TIMED_OUT);
    }

    @Test
    void aFailedOrTimedOutSandboxIsNotReused() {
        var timedOut = runtime.run(
                scenario("loop", Map.of(), Duration.ofSeconds(1), 128, Map.of(), new Cancellation()), new Logs());
        var next = runtime.run(scenario("trivial", Map.of()), new Logs());

        assertThat(timedOut.status()).isEqualTo(RunStatus.TIMED_OUT);
        assertThat(next.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(next.warm()).isFalse();
        assertThat(next.sandboxId()).isNotEqualTo(timedOut.sandboxId());
    }

    @Test
    void environmentValuesAreSetForOneInvocationOnly() {
        var with = runtime.run(
                scenario("env", Map.of(), Duration.ofSeconds(10), 128, Map.of("GREETING", "hi"), new Cancellation()),
                new Logs());
        var without = runtime.run(scenario("env", Map.of()), new Logs());

        assertThat(Wire.json().readTree(with.resultJson()).get("greeting").asString())
                .isEqualTo("hi");
        assertThat(Wire.json().readTree(without.resultJson()).get("greeting").isNull())
                .isTrue();
        assertThat(without.warm()).isTrue();
    }

    @Test
    void aRunningScriptIsCancelled() {
        var cancellation = new Cancellation();
        var logs = new Logs();
        var outcome = CompletableFuture.supplyAsync(() -> runtime.run(
                scenario("sleep", Map.of("millis", 60_000), Duration.ofSeconds(90), 128, Map.of(), cancellation),
                logs));
        await().atMost(Duration.ofSeconds(20)).until(() -> logs.all().contains("sleeping"));

        cancellation.cancel();

        assertThat(outcome.join().status()).isEqualTo(RunStatus.CANCELLED);
    }

    @Test
    void aCancelledInvocationDoesNotStart() {
        var cancellation = new Cancellation();
        cancellation.cancel();
        var logs = new Logs();

        var outcome =
                runtime.run(scenario("echo", Map.of(), Duration.ofSeconds(10), 128, Map.of(), cancellation), logs);

        assertThat(outcome.status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(logs.all()).isEmpty();
    }

    @Test
    void logLinesBeyondTheCapAreDroppedWithAVisibleMark() {
        var logs = new Logs();
        var outcome = runtime.run(scenario("logs", Map.of("lines", 80)), logs);

        assertThat(outcome.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(logs.all()).hasSize(51);
        assertThat(logs.all().getLast()).contains("log truncated: 30 more lines");
    }

    @Test
    void aResultBeyondTheCapFailsTheRunSayingHowLargeItWas() {
        var outcome = runtime.run(scenario("big", Map.of("bytes", 200_000)), new Logs());

        assertThat(outcome.status()).isEqualTo(RunStatus.FAILED);
        assertThat(outcome.resultJson()).isNull();
        assertThat(outcome.error()).matches("result too large: 200002 bytes, limit \\d+");
    }

    @Test
    void aNewVersionRetiresTheWarmSandboxesOfTheOldOne() {
        var v1 = runtime.run(scenario("trivial", Map.of()), new Logs());
        var v2Invocation = scenario("trivial", Map.of());
        var v2 = runtime.run(
                new Invocation(
                        UUID.randomUUID(),
                        scriptId,
                        2,
                        image(),
                        TriggerKind.CRON,
                        v2Invocation.eventJson(),
                        Duration.ofSeconds(10),
                        128,
                        Map.of(),
                        new Cancellation()),
                new Logs());
        var v1Again = runtime.run(scenario("trivial", Map.of()), new Logs());

        assertThat(v2.sandboxId()).isNotEqualTo(v1.sandboxId());
        assertThat(v1Again.sandboxId()).isNotEqualTo(v1.sandboxId());
        assertThat(v1Again.warm()).isFalse();
    }
}
