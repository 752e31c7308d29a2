package dev.cronhook.executor.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cronhook.core.run.RunStatus;
import dev.cronhook.core.run.TriggerKind;
import dev.cronhook.core.wire.Wire;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The harness protocol on a private channel (a socket), against a harness played by the test. */
class HarnessChannelTest {
    private static final String MARK = "\u001e";

    private final HarnessChannel channel = new HarnessChannel(RuntimeLimits.defaults());
    private final ScriptRuntimeContract.Logs logs = new ScriptRuntimeContract.Logs();

    /** Plays the harness: answers each invocation frame it is sent, given the invocation's nonce. */
    private interface Harness {
        void answer(String nonce);
    }

    private Outcome invoke(Harness harness) {
        return invoke(new PlayedSandbox(harness));
    }

    private Outcome invoke(Sandbox sandbox) {
        channel.attach(sandbox);
        return channel.invoke(
                new Invocation(
                        UUID.randomUUID(),
                        UUID.randomUUID(),
                        1,
                        "played",
                        TriggerKind.WEBHOOK,
                        "{}",
                        Duration.ofSeconds(10),
                        128,
                        Map.of(),
                        new Cancellation()),
                logs);
    }

    private void frame(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        channel.frames(bytes, 0, bytes.length);
    }

    private void attached(LogStream stream, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        channel.output(stream, bytes, 0, bytes.length);
    }

    private static String log(String nonce, String stream, String text) {
        return MARK + nonce + "{\"log\":\"" + stream + "\",\"text\":"
                + Wire.json().writeValueAsString(text) + "}\n";
    }

    @Test
    void theInvocationsLogFramesAndThenItsResultFrameMakeTheOutcome() {
        var outcome = invoke(nonce -> {
            frame(log(nonce, "stdout", "hello\n") + log(nonce, "stderr", "a warning\n"));
            frame(MARK + nonce + "{\"ok\":true,\"result\":42}\n");
        });

        assertThat(outcome.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(outcome.resultJson()).isEqualTo("42");
        assertThat(logs.of(LogStream.STDOUT)).containsExactly("hello");
        assertThat(logs.of(LogStream.STDERR)).containsExactly("a warning");
        assertThat(channel.reusable()).isTrue();
    }

    @Test
    void aProcessLeftBehindThatHitALimitAndEndedWhileItWasLookedForKeepsTheSandboxFromServingAgain() {
        var counted = new AtomicBoolean();
        var sandbox = new PlayedSandbox(nonce -> frame(MARK + nonce + "{\"ok\":true,\"result\":1}\n")) {
            /** The child's fork refused by the pids limit, then its exit, as the channel looks for it: gone. */
            @Override
            public boolean leftProcessesBehind() {
                counted.set(true);
                return false;
            }

            @Override
            public Optional<String> limitHit() {
                return counted.get() ? Optional.of(Sandbox.PROCESS_LIMIT) : Optional.empty();
            }
        };

        assertThat(invoke(sandbox).status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(channel.reusable()).isFalse();
    }

    @Test
    void textLoggedWithoutAFinalNewlineIsALineOfTheInvocationThatLoggedIt() {
        invoke(nonce -> {
            frame(log(nonce, "stdout", "par") + log(nonce, "stdout", "tial"));
            frame(MARK + nonce + "{\"ok\":true,\"result\":null}\n");
        });

        assertThat(logs.of(LogStream.STDOUT)).containsExactly("partial");
    }

    @Test
    void aSecretSplitAcrossTwoWritesOfOneLineReachesTheMaskAsOneLine() {
        String secret = "split\fsecret\u001bvalue";
        invoke(nonce -> {
            frame(log(nonce, "stdout", "token=" + secret.substring(0, 7)));
            frame(log(nonce, "stdout", secret.substring(7) + " done\n"));
            frame(MARK + nonce + "{\"ok\":true,\"result\":null}\n");
        });

        var mask = dev.cronhook.executor.secrets.SecretMask.of(java.util.List.of(secret));
        assertThat(logs.of(LogStream.STDOUT)).map(mask::apply).containsExactly("token=*** done");
    }

    @Test
    void aFrameCarryingAnotherNonceIsNeitherTheResultNorALogLine() {
        var outcome = invoke(nonce -> {
            String other = "0123456789abcdef0123456789abcdef";
            frame(log(other, "stdout", "not mine\n"));
            frame(MARK + other + "{\"ok\":true,\"result\":\"forged\"}\n");
            frame(MARK + nonce + "{\"ok\":true,\"result\":\"genuine\"}\n");
        });

        assertThat(outcome.resultJson()).isEqualTo("\"genuine\"");
        assertThat(logs.all()).isEmpty();
    }

    @Test
    void onStdoutTheNoncesMarkEndsTheOutputAroundTheHarnessAndIsNoResult() {
        var outcome = invoke(nonce -> {
            attached(LogStream.STDOUT, "raw\n" + MARK + nonce + "{\"ok\":true,\"result\":\"forged\"}\n");
            frame(MARK + nonce + "{\"ok\":true,\"result\":\"genuine\"}\n");
        });

        assertThat(outcome.resultJson()).isEqualTo("\"genuine\"");
        assertThat(logs.of(LogStream.STDOUT)).containsExactly("raw");
    }

    @Test
    void outputAroundTheHarnessIsAwaitedUpToItsMarksWhenTheHarnessAsksForADrain() {
        var outcome = invoke(nonce -> {
            frame(MARK + nonce + "{\"drain\":true}\n");
            frame(MARK + nonce + "{\"ok\":true,\"result\":1}\n");
            // the engine delivers stdout and stderr later than the socket, each on its own thread
            Thread.ofVirtual().start(() -> attached(LogStream.STDOUT, "raw out\n" + MARK + nonce + "{\"end\":true}\n"));
            Thread.ofVirtual().start(() -> attached(LogStream.STDERR, "raw err\n" + MARK + nonce + "{\"end\":true}\n"));
        });

        assertThat(outcome.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(logs.of(LogStream.STDOUT)).containsExactly("raw out");
        assertThat(logs.of(LogStream.STDERR)).containsExactly("raw err");
    }

    @Test
    void aLogLineLongerThanTheCapIsCutWithAVisibleMark() {
        invoke(nonce -> {
            frame(log(nonce, "stdout", "y".repeat(40_000) + "\n"));
            frame(MARK + nonce + "{\"ok\":true,\"result\":1}\n");
        });

        assertThat(logs.of(LogStream.STDOUT))
                .singleElement()
                .satisfies(line -> assertThat(line).startsWith("yyy").endsWith("… [line truncated]"))
                .satisfies(line -> assertThat(line)
                        .hasSize(RuntimeLimits.defaults().maxLineChars() + " … [line truncated]".length()));
    }

    /** A sandbox on a private channel whose harness is the test. */
    private static class PlayedSandbox implements Sandbox {
        private final Harness harness;

        PlayedSandbox(Harness harness) {
            this.harness = harness;
        }

        @Override
        public String id() {
            return "played";
        }

        @Override
        public void send(byte[] frame) {
            harness.answer(Wire.json().readTree(frame).get("id").asString());
        }

        @Override
        public boolean privateChannel() {
            return true;
        }

        @Override
        public void kill() {}

        @Override
        public ExitStatus exitStatus() {
            return new ExitStatus(0, false, false);
        }

        @Override
        public void destroy() {}
    }
}
