package dev.cronhook.api.db;

import java.sql.SQLException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Runs a unit of work in one transaction and retries it when the database asks for a retry (SQLSTATE 40001,
 * which CockroachDB returns under contention), with a short jittered backoff.
 */
@Component
public class Tx {
    private static final int MAX_ATTEMPTS = 5;
    private final TransactionTemplate template;

    public Tx(TransactionTemplate template) {
        this.template = template;
    }

    public <T> T inTransaction(Supplier<T> work) {
        for (int attempt = 1; ; attempt++) {
            try {
                return template.execute(status -> work.get());
            } catch (DataAccessException e) {
                if (attempt >= MAX_ATTEMPTS || !isRetryable(e)) throw e;
                sleep(attempt);
            }
        }
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

    private static void sleep(int attempt) {
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(5, 20L << attempt));
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while retrying a transaction", ie);
        }
    }
}
