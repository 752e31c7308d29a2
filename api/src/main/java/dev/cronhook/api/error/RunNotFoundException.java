package dev.cronhook.api.error;

import java.util.UUID;
import org.springframework.http.HttpStatus;

/** Run not found: answered with NOT_FOUND. */
public class RunNotFoundException extends ProblemException {
    public RunNotFoundException(UUID id) {
        super(HttpStatus.NOT_FOUND, "Run not found", "no run with id " + id);
    }
}
