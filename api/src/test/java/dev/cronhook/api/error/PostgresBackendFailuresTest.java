package dev.cronhook.api.error;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.cronhook.api.error.postgres.PostgresBackendFailures;
import dev.cronhook.api.error.redis.RedisBackendFailures;
import java.net.ServerSocket;
import java.sql.DriverManager;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * The database's failures, as the real driver and Spring's translation raise them against the machine's PostgreSQL,
 * are told from a query's own errors: the first are answered 503, the second stay bugs.
 */
class PostgresBackendFailuresTest {
    private static final String URL = System.getenv()
                    .getOrDefault("CRONHOOK_TEST_PG", "jdbc:postgresql://127.0.0.1:5432/")
                    .replaceFirst("/$", "")
            + "/postgres";
    private static final String USER = System.getenv().getOrDefault("CRONHOOK_TEST_PG_USER", "postgres");

    private final List<BackendFailures> backends = List.of(new RedisBackendFailures(), new PostgresBackendFailures());

    @Test
    void aDatabaseThatCannotBeReachedIsUnavailableEvenWrappedInACompletion() throws Exception {
        int closed;
        try (var s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        var nowhere = new DriverManagerDataSource("jdbc:postgresql://127.0.0.1:" + closed + "/postgres", USER, "");
        var failure = catchThrowable(() -> new JdbcTemplate(nowhere).queryForObject("SELECT 1", Integer.class));

        assertThat(BackendFailures.unavailable(backends, new CompletionException(failure)))
                .contains("the database (PostgreSQL)");
    }

    @Test
    void aConnectionTheServerEndedIsUnavailable() throws Exception {
        try (var victim = new SingleConnectionDataSource(URL, USER, "", true);
                var admin = DriverManager.getConnection(URL, USER, "")) {
            var jdbc = new JdbcTemplate(victim);
            int pid = jdbc.queryForObject("SELECT pg_backend_pid()", Integer.class);
            try (var st = admin.prepareStatement("SELECT pg_terminate_backend(?)")) {
                st.setInt(1, pid);
                st.execute();
            }
            var failure = catchThrowable(() -> jdbc.queryForObject("SELECT 1", Integer.class));

            assertThat(failure).isNotNull();
            assertThat(BackendFailures.unavailable(backends, failure)).contains("the database (PostgreSQL)");
        }
    }

    @Test
    void aQuerysOwnErrorIsNotAnOutage() {
        try (var db = new SingleConnectionDataSource(URL, USER, "", true)) {
            var jdbc = new JdbcTemplate(db);
            var syntax = catchThrowable(() -> jdbc.queryForObject("SELEC 1", Integer.class));
            var division = catchThrowable(() -> jdbc.queryForObject("SELECT 1/0", Integer.class));

            assertThat(jdbc.queryForObject("SELECT 1", Integer.class))
                    .as("connected")
                    .isOne();
            assertThat(syntax).isNotNull();
            assertThat(division).isNotNull();
            assertThat(BackendFailures.unavailable(backends, syntax)).isEmpty();
            assertThat(BackendFailures.unavailable(backends, division)).isEmpty();
        }
    }
}
