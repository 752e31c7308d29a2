package dev.cronhook.api.db;

import java.sql.SQLException;
import java.time.Duration;
import java.util.function.Supplier;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Runs a unit of work in one transaction and retries it when the database asks for a retry (SQLSTATE 40001,
 * which CockroachDB returns under contention), with a short jittered backoff (Spring's {@link RetryTemplate}).
 */
@Component
public class Tx {
    private static final RetryTemplate RETRY = new RetryTemplate(RetryPolicy.builder()
            .maxRetries(4)
            .delay(Duration.ofMillis(10))
            .multiplier(2)
            .jitter(Duration.ofMillis(5))
            .maxDelay(Duration.ofMillis(300))
            .predicate(Tx::isRetryable)
            .build());

    private final TransactionTemplate template;

    public Tx(TransactionTemplate template) {
        this.template = template;
    }

    public <T> T inTransaction(Supplier<T> work) {
        return RETRY.invoke(() -> template.execute(status -> work.get()));
    }

    public void inTransaction(Runnable work) {
        inTransaction(() -> {
            work.run();
            return null;
        });
    }

    static boolean isRetryable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && "40001".equals(sql.getSQLState())) return true;
        }
        return false;
    }
}
