package dev.cronhook.api.error;

import org.springframework.http.HttpStatus;

/** An environment that exists already, or that cannot go (built in, or holding scripts): CONFLICT. */
public class EnvironmentConflictException extends ProblemException {
    public EnvironmentConflictException(String detail) {
        super(HttpStatus.CONFLICT, "Environment conflict", detail);
    }
}
