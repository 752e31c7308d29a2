package dev.cronhook.api.error;

import org.springframework.http.HttpStatus;

/** Forbidden: answered with FORBIDDEN. */
public class ForbiddenException extends ProblemException {
    public ForbiddenException(String detail) {
        super(HttpStatus.FORBIDDEN, "Forbidden", detail);
    }
}
