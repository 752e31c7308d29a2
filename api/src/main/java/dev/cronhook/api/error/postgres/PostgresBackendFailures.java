package dev.cronhook.api.error.postgres;

import dev.cronhook.api.error.BackendFailures;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.util.Optional;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.stereotype.Component;

/**
 * The database's failures: no connection to be had (the server down, the pool's wait for one run out), a connection
 * lost or ended by the server (a restart, a crash, a terminated backend), the server out of resources. Not a query's
 * own error (a constraint, a syntax error): those stay bugs.
 */
@Component
public class PostgresBackendFailures implements BackendFailures {
    @Override
    public Optional<String> unavailable(Throwable error) {
        boolean down =
                switch (error) {
                    case DataAccessResourceFailureException e -> true; // Spring's translation: connection, resources
                    case TransientDataAccessResourceException e -> true;
                    case SQLTransientConnectionException e -> true; // the pool gave up waiting for a connection
                    case SQLRecoverableException e -> true;
                    case SQLException e -> unavailableState(e.getSQLState());
                    default -> false;
                };
        return down ? Optional.of("the database (PostgreSQL)") : Optional.empty();
    }

    /**
     * SQL states of a server that cannot serve now: class 08 (connection exception), 53 (insufficient resources), 57
     * (operator intervention: shutdown, crash, cannot connect now) and 58 (system error).
     */
    private static boolean unavailableState(String state) {
        return state != null
                && (state.startsWith("08")
                        || state.startsWith("53")
                        || state.startsWith("57")
                        || state.startsWith("58"));
    }
}
