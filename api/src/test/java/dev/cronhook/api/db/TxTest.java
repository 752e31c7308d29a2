package dev.cronhook.api.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.TransactionStatus;
import org.springframework.transaction.support.SimpleTransactionStatus;
import org.springframework.transaction.support.TransactionTemplate;

class TxTest {
    final AtomicInteger commits = new AtomicInteger();
    final AtomicInteger rollbacks = new AtomicInteger();
    final Tx tx = new Tx(new TransactionTemplate(new PlatformTransactionManager() {
        @Override
        public TransactionStatus getTransaction(TransactionDefinition definition) {
            return new SimpleTransactionStatus();
        }

        @Override
        public void commit(TransactionStatus status) {
            commits.incrementAndGet();
        }

        @Override
        public void rollback(TransactionStatus status) {
            rollbacks.incrementAndGet();
        }
    }));

    static RuntimeException retryable() {
        return new TransientDataAccessResourceException(
                "restart transaction", new SQLException("restart transaction", "40001"));
    }

    @Test
    void aTransactionTheDatabaseAsksToRetryIsRunAgainUntilItCommits() {
        var attempts = new AtomicInteger();
        var result = tx.inTransaction(() -> {
            if (attempts.incrementAndGet() < 3) throw retryable();
            return "done";
        });
        assertThat(result).isEqualTo("done");
        assertThat(attempts).hasValue(3);
        assertThat(rollbacks).hasValue(2);
        assertThat(commits).hasValue(1);
    }

    @Test
    void anyOtherFailureIsThrownAtOnce() {
        var attempts = new AtomicInteger();
        assertThatThrownBy(() -> tx.inTransaction(() -> {
                    attempts.incrementAndGet();
                    throw new DataIntegrityViolationException("duplicate key");
                }))
                .isInstanceOf(DataIntegrityViolationException.class);
        assertThat(attempts).hasValue(1);
    }

    @Test
    void retriesEndAfterFiveAttemptsWithTheDatabasesError() {
        var attempts = new AtomicInteger();
        assertThatThrownBy(() -> tx.inTransaction(() -> {
                    attempts.incrementAndGet();
                    throw retryable();
                }))
                .isInstanceOf(TransientDataAccessResourceException.class);
        assertThat(attempts).hasValue(5);
    }
}
