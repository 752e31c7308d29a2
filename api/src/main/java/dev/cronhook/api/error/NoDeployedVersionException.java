package dev.cronhook.api.error;

import org.springframework.http.HttpStatus;

/** No deployed version: answered with CONFLICT. */
public class NoDeployedVersionException extends ProblemException {
    public NoDeployedVersionException(String detail) {
        super(HttpStatus.CONFLICT, "No deployed version", detail);
    }
}
