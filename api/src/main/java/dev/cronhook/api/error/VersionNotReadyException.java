package dev.cronhook.api.error;

import org.springframework.http.HttpStatus;

/** Version not ready: answered with CONFLICT. */
public class VersionNotReadyException extends ProblemException {
    public VersionNotReadyException(String detail) {
        super(HttpStatus.CONFLICT, "Version not ready", detail);
    }
}
