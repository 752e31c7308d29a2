package dev.cronhook.api.error;

import org.springframework.http.HttpStatus;

/** Run not cancellable: answered with CONFLICT. */
public class RunNotCancellableException extends ProblemException {
    public RunNotCancellableException(String detail) {
        super(HttpStatus.CONFLICT, "Run not cancellable", detail);
    }
}
