package dev.cronhook.builder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cronhook.builder.log.BuildLog;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
    private final RetryPolicy policy = new RetryPolicy(3, Duration.ZERO, Duration.ZERO);

    @Test
    void aTransientFailureIsTriedAgainUntilItSucceeds() throws Exception {
        var tries = new AtomicInteger();

        String result = policy.call("push", BuildLog.detached(), () -> {
            if (tries.incrementAndGet() < 3) throw new TransientFailureException("connection refused");
            return "pushed";
        });

        assertThat(result).isEqualTo("pushed");
        assertThat(tries).hasValue(3);
    }

    @Test
    void aFailureThatStaysBecomesABuildFailureWithItsReasonAfterTheLastAttempt() {
        var tries = new AtomicInteger();
        var log = BuildLog.detached();

        assertThatThrownBy(() -> policy.call("push", log, () -> {
                    tries.incrementAndGet();
                    throw new TransientFailureException("connection refused");
                }))
                .isInstanceOf(BuildFailedException.class)
                .hasMessage("push failed after 3 attempts: connection refused");
        assertThat(tries).hasValue(3);
        assertThat(log.text()).contains("attempt 2 of 3", "attempt 3 of 3");
    }

    @Test
    void aBadInputIsNotTriedAgain() {
        var tries = new AtomicInteger();

        assertThatThrownBy(() -> policy.call("npm ci", BuildLog.detached(), () -> {
                    tries.incrementAndGet();
                    throw new BuildFailedException("E404 not found");
                }))
                .hasMessage("E404 not found");
        assertThat(tries).hasValue(1);
    }
}
